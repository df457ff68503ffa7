import { createHash } from 'node:crypto';
import type { Anime } from '../domain/anime';
import { type AnimeFilter, filterTags, recordTags } from '../domain/filters';

/** Bumped for writes the API did not make (ETL loads, Data Factory, manual SQL) and for purges. */
export const EPOCH_TAG = 'epoch';
/** What an entry with no equality filter depends on; every write bumps it. */
export const ALL_TAG = 'all';

export interface CacheSpec {
  /** Readable key, e.g. `anime:list:limit=50&sort=id&type=OVA`. */
  key: string;
  /** Tags the entry depends on; `epoch` always comes first. */
  tags: string[];
}

/** The tag of one record by identity, for entries of a single record. */
const idTag = (id: number | string) => `id:${id}`;

/** Every tag a row's values match (from the filter table), and its identity. */
export function rowTags(anime: Anime | null): string[] {
  if (!anime) return [];
  return [idTag(anime.id), ...recordTags(anime)];
}

/** What a write invalidates: `all`, and the tags of the row before and after it. */
export function writeTags(before: Anime | null, after: Anime | null): string[] {
  return [...new Set([ALL_TAG, ...rowTags(before), ...rowTags(after)])].sort();
}

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
