import { createHash } from 'node:crypto';
import { ALL_TAG, type CacheSpec, EPOCH_TAG, idTag } from '../core/cache/cache-keys';
import { type AnimeFilter, filterTags } from '../core/domain/filters';

type ParamValue = string | number | boolean | readonly (string | number)[] | undefined;

/** Keys beyond this length keep a readable prefix and end in a hash. */
const MAX_READABLE = 180;

/**
 * The cache entry of a read: its key from the route and its validated, canonical parameters (the
 * domain filter plus sort, limit, cursor and path id), so equivalent requests (parameter order,
 * repeated vs comma lists, enum case, defaults) share one key; its tags from the filter table.
 */
export function cacheSpec(name: string, params: Record<string, ParamValue>): CacheSpec {
  const parts: string[] = [];
  for (const field of Object.keys(params).sort()) {
    const value = params[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? [...new Set(value.map(String))].sort() : [String(value)];
    parts.push(`${field}=${values.map(encodeURIComponent).join(',')}`);
  }
  let key = `${name}:${parts.join('&')}`;
  if (key.length > MAX_READABLE) {
    key = `${key.slice(0, MAX_READABLE - 24)}~${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
  }
  const tags = new Set(filterTags(params as AnimeFilter));
  if (params.id !== undefined) tags.add(idTag(String(params.id)));
  return { key, tags: [EPOCH_TAG, ...(tags.size ? [...tags].sort() : [ALL_TAG])] };
}
