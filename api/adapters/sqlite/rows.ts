import type { Anime } from '../../core/domain/anime';
import { ANIME_ROW_COLUMNS, animeFromRow, type AnimeRow as SqlAnimeRow } from '../sql/anime-row';

export const ANIME_SELECT = `SELECT ${ANIME_ROW_COLUMNS} FROM animes a`;

/** SQLite stores the timestamps as ISO-8601 text. */
export type AnimeRow = SqlAnimeRow<string>;

export const toAnime = (row: AnimeRow): Anime => animeFromRow(row, (text) => text);
