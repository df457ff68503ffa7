import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import type { Encoding, Representation } from '../../platform/core/cache/stored-representation';

/** Below this size compression costs more than it saves. */
export const MIN_COMPRESSIBLE = 1024;

// Brotli quality 5 compresses multi-megabyte lists ~10x in tens of ms; 11 would take seconds.
const brotliOptions = (body: Buffer) => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
});
const GZIP_OPTIONS = { level: 6 };
// Looked up at each call, not bound once, so a test can count the calls.
const gzipAsync = (body: Buffer) => promisify(gzip)(body, GZIP_OPTIONS);
const brotliAsync = (body: Buffer) => promisify(brotliCompress)(body, brotliOptions(body));

/** One coding, now: what the request being answered asked for. */
export function compress(body: Buffer, encoding: Encoding): Buffer {
  return encoding === 'br' ? brotliCompressSync(body, brotliOptions(body)) : gzipSync(body, GZIP_OPTIONS);
}

/**
 * The representation with both codings, compressed on libuv's thread pool (the event loop goes on
 * serving meanwhile): what a cache entry stores, so no later hit compresses on the loop.
 */
export async function withCodings(representation: Representation): Promise<Representation> {
  const { body } = representation;
  if (body.length < MIN_COMPRESSIBLE) return representation;
  const [gzipped, brotli] = await Promise.all([
    representation.gzip ?? gzipAsync(body),
    representation.br ?? brotliAsync(body),
  ]);
  return { ...representation, gzip: gzipped, br: brotli };
}
