import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Encoding } from '../core/cache/stored-representation';

/** Below this size compression costs more than it saves. */
export const MIN_COMPRESSIBLE = 1024;

export function compress(body: Buffer, encoding: Encoding): Buffer {
  // Brotli quality 5 compresses multi-megabyte lists ~10x in tens of ms; 11 would take seconds.
  return encoding === 'br'
    ? brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      })
    : gzipSync(body, { level: 6 });
}
