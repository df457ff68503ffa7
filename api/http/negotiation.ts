import accepts from 'accepts';
import type { Encoding } from '../../platform/core/cache/stored-representation';

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
