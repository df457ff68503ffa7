import type { Anime } from '../../core/domain/anime';
import { type AnimeRow, animeFromRow } from '../sql/anime-row';

/** A row as tedious returns it: DATETIME2 as Date, DECIMAL and INT as numbers. */
export const toAnime = (row: AnimeRow): Anime => animeFromRow(row, (date) => (date as Date).toISOString());

/** Duplicate key (unique index 2601, unique constraint 2627). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { number?: number; originalError?: unknown } | undefined, d = 0; e && d < 3; d++) {
    if (e.number === 2601 || e.number === 2627) return true;
    e = e.originalError as typeof e;
  }
  return false;
}
