import { type FieldProblem, normalizeRecord } from '../../../catalogue/normalize';
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

/**
 * A full replacement of a record: the source may be left out, and then stays as stored (a client
 * that replaces a row's fields rarely means to move it to another source's namespace).
 */
export type AnimeReplacement = Omit<AnimeInput, 'source'> & { source?: string };

/** A record the definition's normalizer refuses (blank required text, a blank list item). */
export class InvalidRecordError extends Error {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid record: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`);
  }
}

/**
 * The record as it will be stored, normalized exactly as the ETL normalizes a row (trimmed text,
 * the score on the stored scale, genres de-duplicated ignoring case), so a create and a load of
 * the same data store the same row, and filters mean the same for every row.
 */
export function asStored(input: AnimeInput): AnimeInput {
  const { record, problems } = normalizeRecord(input);
  if (problems.length) throw new InvalidRecordError(problems);
  return record;
}
