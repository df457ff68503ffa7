/**
 * The trigram index over titles (migration 007, which keeps its own literal text): the names the
 * loader, the dialect and the ETL benchmark need, in one place.
 */
export const TITLE_SEARCH_TABLE = 'animes_title_search';

/** The triggers that keep the index in step with `animes`. */
export const TITLE_SEARCH_TRIGGERS: ReadonlySet<string> = new Set(
  ['insert', 'delete', 'update'].map((event) => `trg_${TITLE_SEARCH_TABLE}_${event}`),
);

/** Rebuilds the whole index in one pass (FTS5's external-content `rebuild` command). */
export const REBUILD_TITLE_SEARCH = `INSERT INTO ${TITLE_SEARCH_TABLE} (${TITLE_SEARCH_TABLE}) VALUES ('rebuild')`;

/** Trigram indexes by the `animes` column that `contains` searches. */
export const SEARCH_INDEXES: Readonly<Record<string, string>> = { title: TITLE_SEARCH_TABLE };
