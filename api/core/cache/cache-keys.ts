import type { Anime } from '../domain/anime';
import { recordTags } from '../domain/filters';

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
export const idTag = (id: number | string) => `id:${id}`;

/** Every tag a row's values match (from the filter table), and its identity. */
export function rowTags(anime: Anime | null): string[] {
  if (!anime) return [];
  return [idTag(anime.id), ...recordTags(anime)];
}

/** What a write invalidates: `all`, and the tags of the row before and after it. */
export function writeTags(before: Anime | null, after: Anime | null): string[] {
  return [...new Set([ALL_TAG, ...rowTags(before), ...rowTags(after)])].sort();
}
