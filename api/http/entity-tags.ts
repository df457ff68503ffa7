import type { Encoding } from '../../platform/core/cache/stored-representation';

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
export function matchingTag(header: string | undefined, etag: string): string | undefined {
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
