import type { Anime, AnimeType } from '../../core/domain/anime';

export const ANIME_COLUMNS_SQL =
  'a.id, a.source_id, a.title, a.type, a.year, a.score, a.episodes, a.genres_json, a.version, a.created_at, a.updated_at';

/** A row as tedious returns it: DATETIME2 as Date, DECIMAL and INT as numbers. */
export interface MssqlAnimeRow {
  id: number;
  source_id: string;
  title: string;
  type: string;
  year: number | null;
  score: number | null;
  episodes: number | null;
  genres_json: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toAnime(row: MssqlAnimeRow): Anime {
  return {
    id: row.id,
    sourceId: row.source_id,
    title: row.title,
    type: row.type as AnimeType,
    year: row.year,
    score: row.score === null ? null : Number(row.score),
    episodes: row.episodes,
    genres: JSON.parse(row.genres_json) as string[],
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Duplicate key (unique index 2601, unique constraint 2627). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { number?: number; originalError?: unknown } | undefined, d = 0; e && d < 3; d++) {
    if (e.number === 2601 || e.number === 2627) return true;
    e = e.originalError as typeof e;
  }
  return false;
}
