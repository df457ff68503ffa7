import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { ANIME_COLUMNS, type AnimeField, NATURAL_KEY } from '../../../catalogue/definition';
import type { AnimeInput } from '../../core/domain/anime';
import type {
  BeginOptions,
  CatalogueLoad,
  CatalogueLoader,
  LoadMode,
  LoadResult,
} from '../../core/ports/catalogue-loader';
import { pushRecordValues, RECORD_COLUMNS, recordValues, storedColumn } from '../sql/anime-row';
import type { SqliteWriteLock } from './busy';
import { isUniqueViolation } from './errors';
import { REBUILD_TITLE_SEARCH, TITLE_SEARCH_TRIGGERS } from './title-search';

const COLUMNS = RECORD_COLUMNS.join(', ');
const INSERTED_VALUES = `(${RECORD_COLUMNS.map(() => '?').join(', ')}, 1, ?, ?)`;
const KEY_COLUMNS: readonly string[] = ANIME_COLUMNS.filter((c) =>
  (NATURAL_KEY as readonly string[]).includes(c.field),
).map(storedColumn);
/** What a load compares, and rewrites, on a row that exists: everything but its key. */
const CHANGING = RECORD_COLUMNS.map((column, index) => ({ column, index })).filter(
  ({ column }) => !KEY_COLUMNS.includes(column),
);
const GENRES_INDEX = RECORD_COLUMNS.indexOf('genres_json');

/** What a load with this mapping may change on a row that exists: the columns of mapped fields. */
function changingColumns(fields: readonly AnimeField[] | undefined): typeof CHANGING {
  if (!fields) return CHANGING;
  const mapped = new Set(ANIME_COLUMNS.filter((c) => fields.includes(c.field)).map(storedColumn));
  return CHANGING.filter(({ column }) => mapped.has(column));
}
/** Rows per INSERT statement: binding many rows at once halves the per-statement overhead. */
const ROWS_PER_INSERT = 50;
/** KiB, as a negative cache_size. */
const LOAD_CACHE_SIZE = -16384;
/**
 * Helper threads for the index sorts at the commit (SQLite's limit is 8). With the small load cache
 * a 1M-row sort spills, and helpers merge it in parallel: about 1 s off a 1M-row load (six pairs of
 * runs, 2 cores). The parse worker has finished by then, so the cores are free.
 */
const SORT_THREADS = Math.min(availableParallelism(), 8);
/**
 * Indexes led by an enum column stay live during a load: with ids rising they grow at a handful of
 * right edges, which costs the writer less than sorting them afterwards (1M rows: 10.0 s against
 * 10.7 s). Indexes on wider columns (year, score, title) are cheaper rebuilt.
 */
const LIVE_INDEXES = new Set(
  ANIME_COLUMNS.filter((c) => c.kind === 'enum').map((c) => `ix_animes_${c.column}`),
);

/** What a load compares before it updates a row: its id, version and stored values. */
type StoredRow = { id: number; version: number; updated_at: string } & Record<string, unknown>;

/**
 * Drops schema objects of `type` on `tables` and returns the function that recreates them. Used
 * inside the load transaction, so other connections never see them missing.
 */
function suspend(
  db: Database.Database,
  type: 'index' | 'trigger',
  tables: string[],
  keep: ReadonlySet<string> = new Set(),
): () => void {
  const objects = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND name NOT LIKE 'ux_%'
       AND tbl_name IN (${tables.map(() => '?').join(', ')})`,
    )
    .all(type, ...tables)
    .filter((object) => !keep.has((object as { name: string }).name)) as { name: string; sql: string }[];
  for (const object of objects) db.exec(`DROP ${type.toUpperCase()} ${object.name}`);
  return () => {
    for (const object of objects) db.exec(object.sql);
  };
}

/**
 * One load is one write transaction, written straight into the live tables: readers on other
 * connections keep seeing the previous catalogue (WAL) until the commit, and an error, an abort, a
 * crash or a kill rolls everything back. Loading into an empty catalogue drops the secondary indexes
 * of `animes` and rebuilds them by sorting at the end, several times faster than maintaining them per
 * row; the genre link and type indexes stay, since they grow in order and are cheaper kept than rebuilt.
 * Per-row data-version triggers are suspended too; the commit bumps the version once instead.
 * Genres are linked per staged batch in two set-based statements, from each new row's final genres.
 */
class SqliteCatalogueLoad implements CatalogueLoad {
  private readonly insertNew: Database.Statement;
  private readonly insertMany: Database.Statement;
  private readonly nextId: Database.Statement;
  private readonly addGenresOfIds: Database.Statement;
  private readonly linkGenresOfIds: Database.Statement;
  private readonly findBySource: Database.Statement;
  private readonly updateRow: Database.Statement;
  private readonly rewriteRow: Database.Statement;
  private readonly restoreVersion: Database.Statement;
  /**
   * Rows from before this load as they were when this load first changed them. A later line of
   * the file may change a row again, even back: the load is one change per row, judged at commit.
   */
  private readonly originals = new Map<number, StoredRow>();
  /** Of those, the rows a later line changed again: only they can have ended as they were. */
  private readonly rewritten = new Set<number>();
  private readonly unlinkGenres: Database.Statement;
  private readonly maxIdBefore: number;
  /** Rows from this id on were inserted by the batch being staged and are linked at its end. */
  private unlinkedFrom = 0;
  /** Rows that existed before this load and appear in the file: id -> whether the load changed it. */
  private readonly seenExisting = new Map<number, boolean>();
  /** Recreates what the load suspended; a rollback restores it by itself. */
  private readonly restore: (() => void)[] = [];
  /** The connection's settings before the load, put back when it ends. */
  private readonly pragmasBefore: { cache_size: unknown; threads: unknown };
  private readonly now = new Date().toISOString();
  private inserted = 0;

  private readonly changing: typeof CHANGING;
  private readonly relinksGenres: boolean;

  constructor(
    private readonly db: Database.Database,
    private readonly mode: LoadMode,
    private readonly source: string,
    fields?: readonly AnimeField[],
  ) {
    this.changing = changingColumns(fields);
    this.relinksGenres = this.changing.some(({ index }) => index === GENRES_INDEX);
    this.pragmasBefore = {
      cache_size: db.pragma('cache_size', { simple: true }),
      threads: db.pragma('threads', { simple: true }),
    };
    db.exec('BEGIN IMMEDIATE');
    try {
      // A load streams through the cache: a small one bounds its memory and costs no speed (measured).
      db.pragma(`cache_size = ${LOAD_CACHE_SIZE}`);
      this.nextId = db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM animes').pluck();
      this.maxIdBefore = (this.nextId.get() as number) - 1;
      const filling = this.maxIdBefore === 0;
      if (filling) this.restore.push(suspend(db, 'index', ['animes'], LIVE_INDEXES));
      // Filling an empty catalogue, the title index is built in one pass at the end, as the other
      // indexes are; otherwise its triggers keep it in step with each row the load changes.
      this.restore.push(
        suspend(db, 'trigger', ['animes', 'anime_genres'], filling ? undefined : TITLE_SEARCH_TRIGGERS),
      );
      if (filling) this.restore.push(() => db.exec(REBUILD_TITLE_SEARCH));
      const insert = `INSERT INTO animes (${COLUMNS}, version, created_at, updated_at) VALUES`;
      this.insertNew = db.prepare(`${insert} ${INSERTED_VALUES} ON CONFLICT (source, source_id) DO NOTHING`);
      this.insertMany = db.prepare(`${insert} ${Array(ROWS_PER_INSERT).fill(INSERTED_VALUES).join(', ')}`);
      // Rows' links come from their stored genres_json, set-based over an id range: a staged batch's
      // new rows at once, or one updated row.
      this.addGenresOfIds = db.prepare(
        `INSERT INTO genres (name) SELECT DISTINCT j.value FROM animes a, json_each(a.genres_json) j
         WHERE a.id BETWEEN ? AND ? ON CONFLICT (name) DO NOTHING`,
      );
      this.linkGenresOfIds = db.prepare(
        `INSERT OR IGNORE INTO anime_genres (anime_id, genre_id)
         SELECT a.id, g.id FROM animes a, json_each(a.genres_json) j JOIN genres g ON g.name = j.value
         WHERE a.id BETWEEN ? AND ?`,
      );
      this.findBySource = db.prepare(
        `SELECT id, version, updated_at, ${COLUMNS} FROM animes WHERE source = ? AND source_id = ?`,
      );
      // With nothing mapped to change (only the source id), the statements are never run.
      const assignments = (this.changing.length ? this.changing : CHANGING)
        .map(({ column }) => `${column} = ?`)
        .join(', ');
      this.updateRow = db.prepare(
        `UPDATE animes SET ${assignments}, version = version + 1, updated_at = ? WHERE id = ?`,
      );
      // A row this load already inserted or changed: a later line rewrites it, one version still.
      this.rewriteRow = db.prepare(`UPDATE animes SET ${assignments}, updated_at = ? WHERE id = ?`);
      this.restoreVersion = db.prepare('UPDATE animes SET version = ?, updated_at = ? WHERE id = ?');
      this.unlinkGenres = db.prepare('DELETE FROM anime_genres WHERE anime_id = ?');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  async stage(records: readonly AnimeInput[]): Promise<void> {
    for (const record of records)
      if (record.source !== this.source)
        throw new Error(`a load of source ${this.source} was given a record of source ${record.source}`);
    this.unlinkedFrom = this.nextId.get() as number;
    let next = 0;
    // Into an empty catalogue, natural keys repeat only when the file repeats them: insert many rows
    // per statement, and take the row-by-row path for a statement a repeat makes fail.
    if (this.maxIdBefore === 0) {
      for (; next + ROWS_PER_INSERT <= records.length; next += ROWS_PER_INSERT) {
        const rows = records.slice(next, next + ROWS_PER_INSERT);
        if (!this.tryInsertMany(rows)) for (const record of rows) this.apply(record);
      }
    }
    for (; next < records.length; next++) this.apply(records[next]!);
    this.linkGenres(this.unlinkedFrom, Number.MAX_SAFE_INTEGER);
  }

  private tryInsertMany(rows: readonly AnimeInput[]): boolean {
    const values: unknown[] = [];
    for (const r of rows) pushRecordValues(values, r).push(this.now, this.now);
    try {
      this.inserted += this.insertMany.run(values).changes;
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  private apply(r: AnimeInput): void {
    const values = recordValues(r);
    const { changes } = this.insertNew.run(...values, this.now, this.now);
    if (changes === 1) {
      this.inserted++;
      return;
    }
    // The natural key exists: from before this load, or from an earlier line of this file (which a
    // later line replaces, as a re-run of the file would).
    const row = this.findBySource.get(r.source, r.sourceId) as StoredRow;
    const changed = this.changing.some(({ column, index }) => row[column] !== values[index]);
    const existed = row.id <= this.maxIdBefore;
    if (existed) this.seenExisting.set(row.id, changed || this.seenExisting.get(row.id) === true);
    if (!changed) return;
    const assigned = this.changing.map(({ index }) => values[index]);
    if (!existed || this.originals.has(row.id)) {
      this.rewriteRow.run(...assigned, this.now, row.id);
      if (existed) this.rewritten.add(row.id);
    } else {
      this.originals.set(row.id, row);
      this.updateRow.run(...assigned, this.now, row.id);
    }
    if (this.relinksGenres && row.id < this.unlinkedFrom && row.genres_json !== values[GENRES_INDEX]) {
      this.unlinkGenres.run(row.id);
      this.linkGenres(row.id, row.id);
    }
  }

  private linkGenres(fromId: number, toId: number): void {
    this.addGenresOfIds.run(fromId, toId);
    this.linkGenresOfIds.run(fromId, toId);
  }

  async commit(): Promise<LoadResult> {
    const db = this.db;
    try {
      // While the data-version triggers are still suspended: settling is not a change.
      this.settleRewrites();
      const deleted = this.mode === 'replace' ? this.deleteUnseen() : 0;
      db.pragma(`threads = ${SORT_THREADS}`);
      for (const recreate of this.restore) recreate();
      db.exec('DELETE FROM genres WHERE id NOT IN (SELECT genre_id FROM anime_genres)');
      let updated = 0;
      for (const changed of this.seenExisting.values()) if (changed) updated++;
      if (this.inserted + updated + deleted > 0)
        db.exec('UPDATE data_version SET version = version + 1 WHERE id = 1');
      const { version } = db.prepare('SELECT version FROM data_version WHERE id = 1').get() as {
        version: number;
      };
      db.exec('COMMIT');
      this.restorePragmas();
      return {
        inserted: this.inserted,
        updated,
        unchanged: this.seenExisting.size - updated,
        deleted,
        dataVersion: version,
      };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /**
   * A row changed by one line and changed back by a later one (a file that repeats a source id,
   * loaded again) ends as it was: its version and timestamp go back too, and it counts unchanged.
   */
  private settleRewrites(): void {
    const current = this.db.prepare(`SELECT ${COLUMNS} FROM animes WHERE id = ?`);
    for (const id of this.rewritten) {
      const original = this.originals.get(id)!;
      const final = current.get(id) as Record<string, unknown>;
      if (this.changing.some(({ column }) => final[column] !== original[column])) continue;
      this.restoreVersion.run(original.version, original.updated_at, id);
      this.seenExisting.set(id, false);
    }
  }

  /** Replace mode: rows of this load's source from before it that the file did not contain. */
  private deleteUnseen(): number {
    const db = this.db;
    if (this.maxIdBefore === 0) return 0;
    db.exec('CREATE TEMP TABLE seen_animes (id INTEGER PRIMARY KEY)');
    const remember = db.prepare('INSERT INTO seen_animes (id) VALUES (?)');
    for (const id of this.seenExisting.keys()) remember.run(id);
    const { changes } = db
      .prepare(
        'DELETE FROM animes WHERE id <= ? AND source = ? AND id NOT IN (SELECT id FROM temp.seen_animes)',
      )
      .run(this.maxIdBefore, this.source);
    db.exec('DROP TABLE temp.seen_animes');
    return changes;
  }

  async abort(): Promise<void> {
    this.rollback();
  }

  private rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.restorePragmas();
  }

  private restorePragmas(): void {
    for (const [name, value] of Object.entries(this.pragmasBefore))
      this.db.pragma(`${name} = ${Number(value)}`);
  }
}

export class SqliteCatalogueLoader implements CatalogueLoader {
  constructor(
    private readonly db: Database.Database,
    private readonly writes: SqliteWriteLock,
  ) {}

  /** Waits (off the event loop) for the write lock that the load then holds until its commit. */
  async begin(mode: LoadMode, options: BeginOptions): Promise<CatalogueLoad> {
    return this.writes.run(() => new SqliteCatalogueLoad(this.db, mode, options.source, options.fields));
  }

  async isEmpty(): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM animes LIMIT 1').get() === undefined;
  }
}
