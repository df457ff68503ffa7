export type Encoding = 'br' | 'gzip';

/**
 * A response ready to send as is, and what a cache entry holds: the body's bytes, optional
 * compressed variants and a strong ETag.
 */
export interface Representation {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Headers that belong to the body (e.g. a page's Link), stored and replayed with it. */
  readonly headers?: Readonly<Record<string, string>>;
  gzip?: Buffer;
  br?: Buffer;
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

/** An in-process store hands back the same buffer on every hit: each is decoded once. */
const decoded = new WeakMap<Buffer, Representation>();

export function decodeRepresentation(bytes: Buffer): Representation {
  let representation = decoded.get(bytes);
  if (!representation) {
    representation = decodeBytes(bytes);
    decoded.set(bytes, representation);
  }
  return representation;
}

function decodeBytes(bytes: Buffer): Representation {
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
