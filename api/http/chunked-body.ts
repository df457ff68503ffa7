import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { Context } from 'koa';
import { strongEtag } from '../core/strong-etag';
import { codingEtag, preferredCoding, type Representation, VARY } from './representation';

/** How a list of items becomes bytes, one chunk of items at a time. */
export interface ChunkFormat {
  readonly contentType: string;
  /** The text of one chunk; `first` when nothing was written before it. */
  chunk(items: readonly unknown[], first: boolean): string;
  /** What closes the body; `empty` when no item was written. */
  end(empty: boolean): string;
}

/** A JSON array: `[`, items joined by commas, `]`. */
export const JSON_ARRAY: ChunkFormat = {
  contentType: 'application/json; charset=utf-8',
  chunk(items, first) {
    let text = first ? '[' : ',';
    for (let i = 0; i < items.length; i++) text += (i ? ',' : '') + JSON.stringify(items[i]);
    return text;
  },
  end: (empty) => (empty ? '[]' : ']'),
};

/**
 * What a handler returns for a list body that may be too large to build at once (list-all), or
 * that is not JSON: its items in chunks and their format. The router serializes one chunk at a
 * time, so no step holds the event loop for long and memory is bounded by a chunk, whatever the
 * catalogue's size.
 */
export class ChunkedBody {
  constructor(
    readonly chunks: AsyncIterable<readonly unknown[]>,
    readonly format: ChunkFormat = JSON_ARRAY,
    /** Headers that belong to the body (a page's Link), kept with it in the cache. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {}
}

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
    const compressor =
      encoding === 'br'
        ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : createGzip({ level: 6 });
    // Either side failing or closing ends both: a database error ends the response, and a client
    // that hung up stops the query.
    pipeline(bytes, compressor, () => undefined);
    return compressor;
  }
}

/** The body's bytes, a chunk of items at a time. */
async function* serialized({ chunks, format }: ChunkedBody): AsyncGenerator<Buffer> {
  let first = true;
  for await (const items of chunks) {
    if (!items.length) continue;
    yield Buffer.from(format.chunk(items, first));
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
export async function bufferOrStream(
  list: ChunkedBody,
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
