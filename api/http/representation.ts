import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'koa';
import { strongEtag } from '../core/strong-etag';

export type Encoding = 'br' | 'gzip';

/** A response ready to send as is: JSON bytes, optional compressed variants and a strong ETag. */
export interface Representation {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Headers that belong to the body (e.g. a page's Link), stored and replayed with it. */
  readonly headers?: Readonly<Record<string, string>>;
  gzip?: Buffer;
  br?: Buffer;
}

/** Below this size compression costs more than it saves. */
const MIN_COMPRESSIBLE = 1024;

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

export function ifNoneMatchHits(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Sends a representation: 304 on a matching If-None-Match, else the best encoding the client accepts. */
export function sendRepresentation(ctx: Context, representation: Representation): void {
  ctx.set('ETag', representation.etag);
  for (const [name, value] of Object.entries(representation.headers ?? {})) ctx.set(name, value);
  ctx.set('Vary', 'Accept-Encoding');
  if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-cache');
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

/**
 * One buffer per cached entry: a length-prefixed JSON header, then the body and its variants.
 * Stored as bytes so a hit is sent without parsing or serializing JSON.
 */
export function encodeRepresentation(r: Representation): Buffer {
  const parts = [r.body, r.gzip ?? Buffer.alloc(0), r.br ?? Buffer.alloc(0)];
  const header = Buffer.from(
    JSON.stringify({ c: r.contentType, e: r.etag, h: r.headers, l: parts.map((p) => p.length) }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, ...parts]);
}

export function decodeRepresentation(bytes: Buffer): Representation {
  const headerLength = bytes.readUInt32BE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as {
    c: string;
    e: string;
    h?: Record<string, string>;
    l: [number, number, number];
  };
  let offset = 4 + headerLength;
  const [body, gzip, br] = header.l.map((length) => {
    const part = bytes.subarray(offset, offset + length);
    offset += length;
    return part;
  }) as [Buffer, Buffer, Buffer];
  return {
    body,
    contentType: header.c,
    etag: header.e,
    ...(header.h ? { headers: header.h } : {}),
    ...(gzip.length ? { gzip } : {}),
    ...(br.length ? { br } : {}),
  };
}
