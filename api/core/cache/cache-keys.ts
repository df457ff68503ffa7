import { createHash } from 'node:crypto';
import type { Anime } from '../domain/anime';

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

type ParamValue = string | number | boolean | readonly (string | number)[] | undefined;

const TAGGED: Record<string, (value: string | number) => string> = {
  type: (v) => `type:${v}`,
  genre: (v) => `genre:${String(v).toLowerCase()}`,
  year: (v) => `year:${v}`,
  id: (v) => `id:${v}`,
};

/** Keys beyond this length keep a readable prefix and end in a hash. */
const MAX_READABLE = 180;

/**
 * Equivalent requests (parameter order, repeated vs comma lists, enum case, defaults) arrive here
 * already validated and normalized, so sorting names and list values gives one key per result set.
 */
export function cacheSpec(name: string, params: Record<string, ParamValue>): CacheSpec {
  const parts: string[] = [];
  const tags = new Set<string>();
  for (const field of Object.keys(params).sort()) {
    const value = params[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? [...new Set(value.map(String))].sort() : [String(value)];
    parts.push(`${field}=${values.map(encodeURIComponent).join(',')}`);
    const tagOf = TAGGED[field];
    if (tagOf) for (const v of values) tags.add(tagOf(v));
  }
  let key = `${name}:${parts.join('&')}`;
  if (key.length > MAX_READABLE) {
    key = `${key.slice(0, MAX_READABLE - 24)}~${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
  }
  return { key, tags: [EPOCH_TAG, ...(tags.size ? [...tags].sort() : [ALL_TAG])] };
}

/** Every tag a row's values match; a write bumps these for the old and the new row. */
export function rowTags(anime: Anime | null): string[] {
  if (!anime) return [];
  const tags = [
    `id:${anime.id}`,
    `type:${anime.type}`,
    ...anime.genres.map((g) => `genre:${g.toLowerCase()}`),
  ];
  if (anime.year !== null) tags.push(`year:${anime.year}`);
  return tags;
}

export function writeTags(before: Anime | null, after: Anime | null): string[] {
  return [...new Set([ALL_TAG, ...rowTags(before), ...rowTags(after)])].sort();
}
