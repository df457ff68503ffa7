import type { AnimeInput } from '../../../pipelines/ingest/schema';

export { ANIME_TYPES, type AnimeType } from '../../../pipelines/ingest/definition';
export type { AnimeInput } from '../../../pipelines/ingest/schema';

/** A catalogue entry as stored: the ingest record plus the identity and bookkeeping the store owns. */
export interface Anime extends AnimeInput {
  id: number;
  /** Incremented by every change; the basis of optimistic concurrency (If-Match). */
  version: number;
  createdAt: string;
  updatedAt: string;
}
