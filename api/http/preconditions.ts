import type { Context } from 'koa';
import { HttpProblem } from './problem';
import { versionInRecordEtag } from './record-etag';

/**
 * The version a write to anime `id` is conditioned on. If-Match carries the ETag a GET or a write
 * answered with (`"12.7"`, in any content coding's form), or the anime's `version` alone, quoted
 * (`"7"`) or bare (`7`); `*` only requires that the anime exists. A weak tag never matches
 * (If-Match compares strongly), nor does a tag of another anime.
 */
export function expectedVersion(ctx: Context, id: number): number | undefined {
  const header = ctx.get('If-Match').trim();
  if (header === '' || header === '*') return undefined;
  const tags = header.split(',').map((tag) => tag.trim());
  const versions = tags.map((tag) => versionInRecordEtag(tag, id) ?? /^"?(\d{1,15})"?$/.exec(tag)?.[1]);
  // A validator that cannot match the current one fails the precondition (RFC 9110 §13.1.1).
  if (tags.length !== 1 || versions[0] === undefined)
    throw new HttpProblem(
      412,
      `If-Match must carry this anime's ETag (e.g. "${id}.7") or its version (e.g. "7"): one tag, not weak`,
    );
  return Number(versions[0]);
}
