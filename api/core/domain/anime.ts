import { ANIME_COLUMNS } from '../../../catalogue/definition';
import type { AnimeInput } from '../../../catalogue/schema';

export { ANIME_TYPES, type AnimeType } from '../../../catalogue/definition';
export type { AnimeInput } from '../../../catalogue/schema';

/** A catalogue entry as stored: the ingest record plus the identity and bookkeeping the store owns. */
export interface Anime extends AnimeInput {
  id: number;
  /** Incremented by every change; the basis of optimistic concurrency (If-Match). */
  version: number;
  createdAt: string;
  updatedAt: string;
}

const SCORE = ANIME_COLUMNS.find((c) => c.field === 'score');
/** 10^scale of the stored score: the ETL rounds to it, and so must every other write. */
export const SCORE_FACTOR = 10 ** (SCORE?.kind === 'decimal' ? SCORE.scale : 0);

/**
 * The record as it will be stored: the score rounded to the stored scale, as the ETL does, so that
 * score filters (whose bounds are moved onto that scale) mean the same for every row.
 */
export function onStoredScale(input: AnimeInput): AnimeInput {
  if (input.score === null) return input;
  return { ...input, score: Math.round(input.score * SCORE_FACTOR) / SCORE_FACTOR };
}
