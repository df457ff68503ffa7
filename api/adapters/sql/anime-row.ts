import type { Anime, AnimeType } from '../../core/domain/anime';

/** The `animes` columns every SQL adapter selects, in the shape `animeFromRow` reads. */
export const ANIME_ROW_COLUMNS =
  'a.id, a.source_id, a.title, a.type, a.year, a.score, a.episodes, a.genres_json, a.version, a.created_at, a.updated_at';

/** An `animes` row; the drivers differ only in how timestamps come back. */
export interface AnimeRow<Timestamp> {
  id: number;
  source_id: string;
  title: string;
  type: string;
  year: number | null;
  score: number | null;
  episodes: number | null;
  genres_json: string;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export function animeFromRow<Timestamp>(
  row: AnimeRow<Timestamp>,
  isoTimestamp: (value: Timestamp) => string,
): Anime {
  return {
    id: row.id,
    sourceId: row.source_id,
    title: row.title,
    type: row.type as AnimeType,
    year: row.year,
    // A no-op where the driver returns numbers (SQLite, tedious); DECIMAL may come back as text elsewhere.
    score: row.score === null ? null : Number(row.score),
    episodes: row.episodes,
    genres: JSON.parse(row.genres_json) as string[],
    version: row.version,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
