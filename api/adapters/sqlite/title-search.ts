/**
 * The trigram index over titles and original titles (migrations 007 and 011, which keep their own
 * literal text): the names the loader, the dialect and the ETL benchmark need, in one place.
 */
const TITLE_SEARCH_TABLE = 'animes_title_search';

/** The triggers that keep the index in step with `animes`. */
export const TITLE_SEARCH_TRIGGERS: ReadonlySet<string> = new Set(
  ['insert', 'delete', 'update'].map((event) => `trg_${TITLE_SEARCH_TABLE}_${event}`),
);

/** Rebuilds the whole index in one pass (FTS5's external-content `rebuild` command). */
export const REBUILD_TITLE_SEARCH = `INSERT INTO ${TITLE_SEARCH_TABLE} (${TITLE_SEARCH_TABLE}) VALUES ('rebuild')`;

/** The trigram index and the `animes` columns it holds; a phrase matches within one of them. */
export const SEARCH_INDEX = { table: TITLE_SEARCH_TABLE, columns: ['title', 'original_title'] } as const;
