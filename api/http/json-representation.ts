import type { Representation } from '../../platform/core/cache/stored-representation';
import { strongEtag } from '../../platform/core/strong-etag';
import { compress, MIN_COMPRESSIBLE } from './compression';

/**
 * A value as JSON bytes with a strong ETag. Only the coding a request accepts is compressed, when it
 * is sent (prepared-response.ts); `precompress` makes both now, for a representation built once and
 * kept (the OpenAPI document). A cache fill stores both codings off the loop (`withCodings`).
 */
export function jsonRepresentation(
  value: unknown,
  options: { etag?: string; precompress?: boolean; headers?: Record<string, string> } = {},
): Representation {
  const body = Buffer.from(JSON.stringify(value));
  const representation: Representation = {
    body,
    contentType: 'application/json; charset=utf-8',
    etag: options.etag ?? strongEtag(body),
    ...(options.headers && Object.keys(options.headers).length ? { headers: options.headers } : {}),
  };
  if (options.precompress && body.length >= MIN_COMPRESSIBLE) {
    representation.gzip = compress(body, 'gzip');
    representation.br = compress(body, 'br');
  }
  return representation;
}
