import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { Context } from 'koa';
import { strongEtag } from '../core/strong-etag';
import { codingEtag, preferredCoding, type Representation } from './representation';

/**
 * What a handler returns for a body that may be too large to build at once (list-all): its items
 * in chunks. The router serializes one chunk at a time, so no step holds the event loop for long
 * and memory is bounded by a chunk, whatever the catalogue's size.
 */
export class JsonArrayStream {
  constructor(readonly chunks: AsyncIterable<readonly unknown[]>) {}
}

/**
 * A response too large to buffer (over the entry limit): the bytes already serialized, then the
 * rest as they are produced. It can be sent once; `claim` tells the request that may send it.
 */
export class StreamedRepresentation {
  private claimed = false;
  etag?: string;

  constructor(
    readonly contentType: string,
    private readonly prefix: readonly Buffer[],
    private readonly rest: AsyncIterator<Buffer>,
  ) {}

  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    return true;
  }

  /** The whole body as a stream, compressed on the thread pool when an encoding is given. */
  body(encoding: 'br' | 'gzip' | 'identity'): Readable {
    const { prefix, rest } = this;
    const bytes = Readable.from(
      (async function* () {
        try {
          yield* prefix;
          for (let step = await rest.next(); !step.done; step = await rest.next()) yield step.value;
        } finally {
          // A client that hung up destroys the stream: the query is released, not left open.
          await rest.return?.();
        }
      })(),
      { objectMode: false, highWaterMark: 64 * 1024 },
    );
    // A stream destroyed before its first read never enters the generator above, so its finally
    // cannot release the query; closing does, whenever it happens (return() on a finished one is a no-op).
    bytes.once('close', () => void rest.return?.());
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

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** The array's bytes, a chunk of items at a time: `[`, items joined by commas, `]`. */
async function* serialized(stream: JsonArrayStream): AsyncGenerator<Buffer> {
  let first = true;
  for await (const items of stream.chunks) {
    if (!items.length) continue;
    let text = first ? '[' : ',';
    for (let i = 0; i < items.length; i++) text += (i ? ',' : '') + JSON.stringify(items[i]);
    first = false;
    yield Buffer.from(text);
  }
  yield Buffer.from(first ? '[]' : ']');
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/** Below this size compression costs more than it saves (as for every other representation). */
const MIN_COMPRESSIBLE = 1024;

/**
 * Serializes up to `maxBytes` of the array. A body that ends within the limit becomes an ordinary
 * representation (compressed off the event loop, cacheable); a larger one becomes a
 * StreamedRepresentation that carries on from where the buffering stopped.
 */
export async function bufferOrStream(
  stream: JsonArrayStream,
  maxBytes: number,
): Promise<Representation | StreamedRepresentation> {
  const bytes = serialized(stream);
  const buffered: Buffer[] = [];
  let size = 0;
  for (let step = await bytes.next(); !step.done; step = await bytes.next()) {
    buffered.push(step.value);
    size += step.value.length;
    if (size > maxBytes) return new StreamedRepresentation(CONTENT_TYPE, buffered, bytes);
  }
  const body = Buffer.concat(buffered);
  const representation: Representation = { body, contentType: CONTENT_TYPE, etag: strongEtag(body) };
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
  ctx.vary('Accept-Encoding');
  if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-cache');
  ctx.status = 200;
  ctx.type = streamed.contentType;
  if (chosen !== 'identity') ctx.set('Content-Encoding', chosen);
  // A HEAD's body is never read: Koa destroys it once the response ends, which releases the query.
  ctx.body = streamed.body(chosen);
}
