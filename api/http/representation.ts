import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'koa';

export type Encoding = 'br' | 'gzip';

/** A response ready to send as is: JSON bytes, optional compressed variants and a strong ETag. */
export interface Representation {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  gzip?: Buffer;
  br?: Buffer;
}

/** Below this size compression costs more than it saves. */
const MIN_COMPRESSIBLE = 1024;

export function etagOf(bytes: Buffer | string): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

export function compress(body: Buffer, encoding: Encoding): Buffer {
  // Brotli quality 5 compresses multi-megabyte lists ~10x in tens of ms; 11 would take seconds.
  return encoding === 'br'
    ? brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      })
    : gzipSync(body, { level: 6 });
}

export function jsonRepresentation(
  value: unknown,
  options: { etag?: string; precompress?: boolean } = {},
): Representation {
  const body = Buffer.from(JSON.stringify(value));
  const representation: Representation = {
    body,
    contentType: 'application/json; charset=utf-8',
    etag: options.etag ?? etagOf(body),
  };
  if (options.precompress && body.length >= MIN_COMPRESSIBLE) {
    representation.gzip = compress(body, 'gzip');
    representation.br = compress(body, 'br');
  }
  return representation;
}

function ifNoneMatchHits(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Sends a representation: 304 on a matching If-None-Match, else the best encoding the client accepts. */
export function sendRepresentation(ctx: Context, representation: Representation): void {
  ctx.set('ETag', representation.etag);
  ctx.set('Vary', 'Accept-Encoding');
  if (!ctx.get('Cache-Control')) ctx.set('Cache-Control', 'no-cache');
  if (ifNoneMatchHits(ctx.get('If-None-Match'), representation.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.type = representation.contentType;
  const { body } = representation;
  const encoding =
    body.length >= MIN_COMPRESSIBLE ? ctx.acceptsEncodings('br', 'gzip', 'identity') : 'identity';
  if (encoding === 'br' || encoding === 'gzip') {
    representation[encoding] ??= compress(body, encoding);
    ctx.set('Content-Encoding', encoding);
    ctx.body = representation[encoding];
  } else {
    ctx.body = body;
  }
}
