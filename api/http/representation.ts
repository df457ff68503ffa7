import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import accepts from 'accepts';
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

/**
 * What every read's representation depends on besides its URL: the content coding, the media type
 * (JSON, or CSV for lists) and a count asked for with Prefer.
 */
export const VARY = 'Accept, Accept-Encoding, Prefer';

/** Below this size compression costs more than it saves. */
const MIN_COMPRESSIBLE = 1024;

function compress(body: Buffer, encoding: Encoding): Buffer {
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

/**
 * The entity-tag of one content coding of a representation: a strong validator must differ between
 * codings (RFC 9110 §8.8.1), so gzip and br carry a suffix (`"abc-gzip"`); identity is the tag.
 */
export function codingEtag(etag: string, coding: Encoding | 'identity'): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/** The tag without a coding's suffix: the representation it names, whichever coding was sent. */
function baseEtag(tag: string): string {
  return tag.replace(/^W\//, '').replace(/-(?:gzip|br)"$/, '"');
}

/**
 * The If-None-Match tag that names `etag` in any coding (weak comparison, RFC 9110 §13.1.2), or
 * undefined. A 304 carries the tag the client holds, which is what its 200 carried.
 */
function matchingTag(header: string | undefined, etag: string): string | undefined {
  if (!header) return undefined;
  if (header.trim() === '*') return etag;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .find((tag) => baseEtag(tag) === etag)
    ?.replace(/^W\//, '');
}

export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  return matchingTag(header, etag) !== undefined;
}

/**
 * `answer` kept per header value: clients send few distinct Accept and Accept-Encoding headers, so
 * each is negotiated once (the table is emptied, not grown, past 64 values).
 */
function perHeader<T>(answer: (header: string) => T): (header: string) => T {
  const answers = new Map<string, T>();
  return (header) => {
    let value = answers.get(header);
    if (value === undefined) {
      value = answer(header);
      if (answers.size >= 64) answers.clear();
      answers.set(header, value);
    }
    return value;
  };
}

const codingFor = perHeader((header): Encoding | 'identity' => {
  // accepts reads only a request's headers; the memo is keyed by the header, not a request.
  const best = accepts({ headers: { 'accept-encoding': header } } as never).encodings(
    'br',
    'gzip',
    'identity',
  );
  return best === 'br' || best === 'gzip' ? best : 'identity';
});

/** The coding to send for an Accept-Encoding header (RFC 9110 negotiation, by `accepts`, as Koa's). */
export function preferredCoding(acceptEncoding: string | undefined): Encoding | 'identity' {
  return codingFor(acceptEncoding ?? '');
}

export type MediaType = 'application/json' | 'text/csv';

/** What an Accept header admits of the types the API serves, and which of them it prefers. */
const acceptAnswer = perHeader((accept) => {
  // As above: only the header is read.
  const negotiator = accepts({ headers: { accept } } as never);
  return {
    'application/json': negotiator.type(['application/json']) !== false,
    'text/csv': negotiator.type(['text/csv']) !== false,
    preferred: negotiator.type(['application/json', 'text/csv']) as MediaType | false,
  };
});

/** Whether an Accept header admits the type (no header admits anything). */
export function admits(accept: string | undefined, type: MediaType): boolean {
  return !accept || acceptAnswer(accept)[type];
}

/** Of JSON and CSV, the one an Accept header prefers (JSON on a tie or no header); false: neither. */
export function preferredListType(accept: string | undefined): MediaType | false {
  return accept ? acceptAnswer(accept).preferred : 'application/json';
}

/** What a request sent that decides how a representation is answered. */
export interface Negotiation {
  readonly ifNoneMatch?: string;
  readonly acceptEncoding?: string;
  /** @default no-cache (public: revalidate every time, answered from the cache) */
  readonly cacheControl?: string;
}

/** A representation's answer to one request: status, headers and the bytes to send. */
export interface PreparedResponse {
  readonly status: 200 | 304;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/**
 * Chooses the answer: 304 on a matching If-None-Match, else the best coding the client accepts.
 * Both ways a response leaves (the Koa pipeline and the hit lane) send what this returns.
 */
export function prepareResponse(representation: Representation, request: Negotiation): PreparedResponse {
  const coding =
    representation.body.length >= MIN_COMPRESSIBLE ? preferredCoding(request.acceptEncoding) : 'identity';
  const held = matchingTag(request.ifNoneMatch, representation.etag);
  // The common answer (a 200 under the default Cache-Control) is kept per representation and coding.
  if (request.cacheControl || held !== undefined) return prepare(representation, request, coding, held);
  let answers = preparedAnswers.get(representation);
  if (!answers) {
    answers = {};
    preparedAnswers.set(representation, answers);
  }
  answers[coding] ??= prepare(representation, request, coding, held);
  return answers[coding];
}

/** 200 answers already prepared, per representation (kept while it is) and coding. */
const preparedAnswers = new WeakMap<
  Representation,
  Partial<Record<Encoding | 'identity', PreparedResponse>>
>();

function prepare(
  representation: Representation,
  request: Negotiation,
  coding: Encoding | 'identity',
  held: string | undefined,
): PreparedResponse {
  const { body } = representation;
  const headers: Record<string, string> = {
    ETag: codingEtag(representation.etag, coding),
    ...representation.headers,
    Vary: VARY,
    'Cache-Control': request.cacheControl || 'no-cache',
  };
  if (held !== undefined) return { status: 304, headers: { ...headers, ETag: held } };
  headers['Content-Type'] = representation.contentType;
  if (coding === 'identity') return { status: 200, headers, body };
  representation[coding] ??= compress(body, coding);
  headers['Content-Encoding'] = coding;
  return { status: 200, headers, body: representation[coding] };
}

/** Sends a representation through Koa. */
export function sendRepresentation(ctx: Context, representation: Representation): void {
  const prepared = prepareResponse(representation, {
    ifNoneMatch: ctx.get('If-None-Match'),
    acceptEncoding: ctx.get('Accept-Encoding'),
    cacheControl: ctx.response.get('Cache-Control') as string,
  });
  for (const name in prepared.headers) {
    // Vary adds to what other layers vary on (CORS adds Origin); the rest are this body's own.
    if (name === 'Vary') ctx.vary(prepared.headers[name]!);
    else ctx.set(name, prepared.headers[name]!);
  }
  ctx.status = prepared.status;
  if (prepared.body) ctx.body = prepared.body;
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
