import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { Context } from 'koa';
import type { Representation } from '../../platform/core/cache/stored-representation';
import { strongEtag } from '../../platform/core/strong-etag';
import { codingEtag } from './entity-tags';
import { preferredCoding } from './negotiation';
import { VARY } from './prepared-response';

/** How a list becomes bytes, one chunk (of items, or of items already encoded) at a time. */
export interface ChunkFormat<Chunk extends { readonly length: number } = readonly unknown[]> {
  readonly contentType: string;
  /** The bytes of one chunk; `first` when nothing was written before it. */
  chunk(chunk: Chunk, first: boolean): Buffer | string;
  /** What closes the body; `empty` when no item was written. */
  end(empty: boolean): string;
}

/** A JSON array: `[`, items joined by commas, `]`. */
const JSON_ARRAY: ChunkFormat = {
  contentType: 'application/json; charset=utf-8',
  chunk(items, first) {
    // One stringify of the whole chunk (V8's fast path, about 1.7x the item-by-item join), its
    // brackets turned into the list's punctuation in the bytes rather than by copying the text.
    const bytes = Buffer.from(JSON.stringify(items));
    bytes[0] = first ? 0x5b /* [ */ : 0x2c /* , */;
    return bytes.subarray(0, bytes.length - 1);
  },
  end: (empty) => (empty ? '[]' : ']'),
};

/**
 * A JSON array whose items come already encoded, each chunk `,{...},{...}` (a store's
 * streamAllJson): the first chunk's leading comma becomes `[`, in place.
 */
export const JSON_ARRAY_OF_ENCODED: ChunkFormat<Buffer> = {
  contentType: JSON_ARRAY.contentType,
  chunk(bytes, first) {
    if (first) bytes[0] = 0x5b; /* [ */
    return bytes;
  },
  end: JSON_ARRAY.end,
};

/**
 * What a handler returns for a list body that may be too large to build at once (list-all), or
 * that is not JSON: its items in chunks and their format. The router serializes one chunk at a
 * time, so no step holds the event loop for long and memory is bounded by a chunk, whatever the
 * catalogue's size.
 */
export class ChunkedBody<Chunk extends { readonly length: number } = readonly unknown[]> {
  constructor(
    readonly chunks: AsyncIterable<Chunk>,
    readonly format: ChunkFormat<Chunk>,
    /** Headers that belong to the body (a page's Link), kept with it in the cache. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {}
}

const STREAM_BROTLI_QUALITY = 2;
const STREAM_GZIP_LEVEL = 1;

/**
 * A response too large to buffer (over the entry limit): the bytes already serialized, then the
 * rest as they are produced. It can be sent once; `claim` tells the request that may send it.
 */
export class StreamedRepresentation {
  private claimed = false;
  private sent?: (bytes: number) => void;
  etag?: string;

  constructor(
    readonly contentType: string,
    private readonly prefix: readonly Buffer[],
    private readonly rest: AsyncIterator<Buffer>,
    readonly headers?: Readonly<Record<string, string>>,
  ) {}

  /** Called once the body has been produced (or abandoned) with the bytes it came to, uncompressed. */
  whenSent(count: (bytes: number) => void): void {
    this.sent = count;
  }

  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    return true;
  }

  /** The whole body as a stream, compressed on the thread pool when an encoding is given. */
  body(encoding: 'br' | 'gzip' | 'identity'): Readable {
    const { prefix, rest } = this;
    const counted = () => this.sent;
    let total = 0;
    const bytes = Readable.from(
      (async function* () {
        try {
          for (const part of prefix) {
            total += part.length;
            yield part;
          }
          for (let step = await rest.next(); !step.done; step = await rest.next()) {
            total += step.value.length;
            yield step.value;
          }
        } finally {
          counted()?.(total);
          // A client that hung up destroys the stream: the query is released, not left open.
          await rest.return?.();
        }
      })(),
      { objectMode: false, highWaterMark: 64 * 1024 },
    );
    // A stream destroyed before its first read never enters the generator above, so its finally
    // cannot release the query; closing does, whenever it happens (return() on a finished one is a no-op).
    bytes.once('close', () => {
      counted()?.(total);
      void rest.return?.();
    });
    if (encoding === 'identity') return bytes;
    // A body this large is compressed once per request and never stored, so the quality is the
    // cheap end (brotli 2, gzip 1: about half the CPU of brotli 5 and gzip 6 for 15-30 % more
    // bytes on catalogue JSON); stored entries keep the dearer settings, paid once per fill.
    const compressor =
      encoding === 'br'
        ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: STREAM_BROTLI_QUALITY } })
        : createGzip({ level: STREAM_GZIP_LEVEL });
    // Either side failing or closing ends both: a database error ends the response, and a client
    // that hung up stops the query.
    pipeline(bytes, compressor, () => undefined);
    return compressor;
  }
}

/** The body's bytes, a chunk of items at a time. */
async function* serialized<Chunk extends { readonly length: number }>({
  chunks,
  format,
}: ChunkedBody<Chunk>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const items of chunks) {
    if (!items.length) continue;
    const bytes = format.chunk(items, first);
    yield typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    first = false;
  }
  const end = format.end(first);
  if (end) yield Buffer.from(end);
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/** Below this size compression costs more than it saves (as for every other representation). */
const MIN_COMPRESSIBLE = 1024;

/**
 * Serializes up to `maxBytes` of the body. A body that ends within the limit becomes an ordinary
 * representation (compressed off the event loop, cacheable); a larger one becomes a
 * StreamedRepresentation that carries on from where the buffering stopped.
 */
export async function bufferOrStream<Chunk extends { readonly length: number }>(
  list: ChunkedBody<Chunk>,
  maxBytes: number,
): Promise<Representation | StreamedRepresentation> {
  const bytes = serialized(list);
  const contentType = list.format.contentType;
  const buffered: Buffer[] = [];
  let size = 0;
  for (let step = await bytes.next(); !step.done; step = await bytes.next()) {
    buffered.push(step.value);
    size += step.value.length;
    if (size > maxBytes) return new StreamedRepresentation(contentType, buffered, bytes, list.headers);
  }
  const body = Buffer.concat(buffered);
  const representation: Representation = {
    body,
    contentType,
    etag: strongEtag(body),
    ...(list.headers && Object.keys(list.headers).length ? { headers: list.headers } : {}),
  };
  if (body.length >= MIN_COMPRESSIBLE) {
    const [gzipped, brotli] = await Promise.all([
      gzipAsync(body, { level: 6 }),
      brotliAsync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    ]);
    representation.gzip = gzipped;
    representation.br = brotli;
  }
  return representation;
}

/** Sends a streamed body: its validator and headers first, then the bytes as they come. */
export function sendStreamed(ctx: Context, streamed: StreamedRepresentation): void {
  const chosen = preferredCoding(ctx.get('Accept-Encoding'));
  if (streamed.etag) ctx.set('ETag', codingEtag(streamed.etag, chosen));
  for (const [name, value] of Object.entries(streamed.headers ?? {})) ctx.set(name, value);
  ctx.vary(VARY);
  if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-cache');
  ctx.status = 200;
  ctx.type = streamed.contentType;
  if (chosen !== 'identity') ctx.set('Content-Encoding', chosen);
  // A HEAD's body is never read: Koa destroys it once the response ends, which releases the query.
  ctx.body = streamed.body(chosen);
}
