import type { Encoding, Representation } from '../../platform/core/cache/stored-representation';
import { compress, MIN_COMPRESSIBLE } from './compression';
import { codingEtag, matchingTag } from './entity-tags';
import { preferredCoding } from './negotiation';

/**
 * What every read's representation depends on besides its URL: the content coding, the media type
 * (JSON, or CSV for lists) and a count asked for with Prefer.
 */
export const VARY = 'Accept, Accept-Encoding, Prefer';

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
