import { createHash } from 'node:crypto';

/** A strong HTTP entity tag for bytes (a body, or a cache key with its generations). */
export function strongEtag(input: Buffer | string): string {
  return `"${createHash('sha256').update(input).digest('base64url').slice(0, 27)}"`;
}
