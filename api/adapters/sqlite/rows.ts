import type { Anime, AnimeType } from '../../core/domain/anime';

export const ANIME_SELECT =
  'SELECT a.id, a.source_id, a.title, a.type, a.year, a.score, a.episodes, a.genres_json, a.version, a.created_at, a.updated_at FROM animes a';

export interface AnimeRow {
  id: number;
  source_id: string;
  title: string;
  type: string;
  year: number | null;
  score: number | null;
  episodes: number | null;
  genres_json: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export function toAnime(row: AnimeRow): Anime {
  return {
    id: row.id,
    sourceId: row.source_id,
    title: row.title,
    type: row.type as AnimeType,
    year: row.year,
    score: row.score,
    episodes: row.episodes,
    genres: JSON.parse(row.genres_json) as string[],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
