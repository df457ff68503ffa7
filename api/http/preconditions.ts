import type { Context } from 'koa';
import { HttpProblem } from './problem';

/**
 * The version a write is conditioned on. If-Match carries the anime's `version`, quoted as an
 * entity-tag (`"7"`) or bare (`7`); `*` only requires that the anime exists.
 */
export function expectedVersion(ctx: Context): number | undefined {
  const header = ctx.get('If-Match').trim();
  if (header === '' || header === '*') return undefined;
  const match = /^"?(\d{1,15})"?$/.exec(header);
  // A validator that cannot match the current one fails the precondition (RFC 9110 §13.1.1).
  if (!match) throw new HttpProblem(412, 'If-Match must carry the anime version, e.g. "7"');
  return Number(match[1]);
}
