import type Database from 'better-sqlite3';
import type { Anime, AnimeInput } from '../../core/domain/anime';
import type { AnimeFilter, AnimeSort, Page, PageRequest } from '../../core/domain/query';
import {
  type AnimeRepository,
  type CatalogueStats,
  ConflictError,
  type FacetCount,
  type InvalidatedTags,
  PreconditionFailedError,
  type WriteResult,
} from '../../core/ports/anime-repository';
import { orderBy, seekPredicate, whereClause } from '../sql/filter-sql';
import type { SqliteWriteLock } from './busy';
import { ANIME_SELECT, type AnimeRow, toAnime } from './rows';
import { SqliteInvalidationOutbox } from './sqlite-invalidation-outbox';
import { sqliteRules } from './sqlite-rules';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** better-sqlite3 is synchronous; the port is async so that network databases fit the same contract. */
export class SqliteAnimeRepository implements AnimeRepository {
  private readonly byId: Database.Statement;
  private readonly insertGenre: Database.Statement;
  private readonly linkGenre: Database.Statement;
  private readonly marker: Database.Statement<[], { version: number; accounted: number }>;
  /** The outbox its writes record invalidations in; the composition hands the same one to the cache. */
  readonly outbox: SqliteInvalidationOutbox;

  constructor(
    private readonly db: Database.Database,
    private readonly writes: SqliteWriteLock,
  ) {
    this.outbox = new SqliteInvalidationOutbox(db, writes);
    this.byId = db.prepare(`${ANIME_SELECT} WHERE a.id = ?`);
    this.marker = db.prepare('SELECT version, accounted FROM data_version WHERE id = 1');
    this.insertGenre = db.prepare('INSERT INTO genres (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
    this.linkGenre = db.prepare(
      'INSERT OR IGNORE INTO anime_genres (anime_id, genre_id) SELECT ?, id FROM genres WHERE name = ?',
    );
  }

  private select(filter: AnimeFilter, sort: AnimeSort, page?: PageRequest): AnimeRow[] {
    const params: unknown[] = [];
    const rules = sqliteRules(params);
    const where = whereClause(filter, rules);
    if (page?.after) where.push(seekPredicate(sort, page.after, rules));
    let sql = `${ANIME_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy(sort, rules)}`;
    if (page) sql += ` LIMIT ${rules.bind(page.limit + 1)}`;
    return this.db.prepare(sql).all(...params) as AnimeRow[];
  }

  async list(filter: AnimeFilter, sort: AnimeSort, page: PageRequest): Promise<Page<Anime>> {
    const rows = this.select(filter, sort, page);
    const items = rows.slice(0, page.limit).map(toAnime);
    const last = items[items.length - 1];
    if (rows.length <= page.limit || !last) return { items };
    return { items, next: { value: last[sort.field], id: last.id } };
  }

  async listAll(filter: AnimeFilter, sort: AnimeSort): Promise<Anime[]> {
    return this.select(filter, sort).map(toAnime);
  }

  async getById(id: number): Promise<Anime | null> {
    const row = this.byId.get(id) as AnimeRow | undefined;
    return row ? toAnime(row) : null;
  }

  async genres(): Promise<FacetCount[]> {
    return this.db
      .prepare(
        `SELECT g.name AS value, COUNT(*) AS count FROM genres g JOIN anime_genres ag ON ag.genre_id = g.id
         GROUP BY g.id ORDER BY count DESC, g.name`,
      )
      .all() as FacetCount[];
  }

  async types(): Promise<FacetCount[]> {
    return this.db
      .prepare('SELECT type AS value, COUNT(*) AS count FROM animes GROUP BY type ORDER BY count DESC, type')
      .all() as FacetCount[];
  }

  async stats(): Promise<CatalogueStats> {
    const totals = this.db
      .prepare('SELECT COUNT(*) AS total, AVG(score) AS averageScore FROM animes')
      .get() as {
      total: number;
      averageScore: number | null;
    };
    const byYear = this.db
      .prepare('SELECT year, COUNT(*) AS count FROM animes GROUP BY year ORDER BY year IS NULL, year')
      .all() as CatalogueStats['byYear'];
    const averageScore = totals.averageScore === null ? null : Math.round(totals.averageScore * 1000) / 1000;
    return { total: totals.total, averageScore, byType: await this.types(), byYear };
  }

  async dataVersion(): Promise<number> {
    return (this.db.prepare('SELECT version FROM data_version WHERE id = 1').get() as { version: number })
      .version;
  }

  async changeMarker(): Promise<{ version: number; accounted: number }> {
    return this.marker.get()!;
  }

  async markAccounted(version: number): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE data_version SET accounted = ? WHERE id = 1 AND version = ?')
        .run(version, version).changes === 1
    );
  }

  /**
   * Runs an API write in a transaction. If no outside write was pending when it began, the versions
   * it adds are marked accounted: the caller invalidates their tags precisely. The invalidation is
   * recorded in the outbox in the same transaction.
   */
  private apiWrite(write: () => WriteResult, invalidates?: InvalidatedTags): Promise<WriteResult> {
    return this.writes.run(() =>
      this.db
        .transaction(() => {
          const start = this.marker.get()!;
          const result = write();
          if (start.accounted === start.version) {
            this.db.prepare('UPDATE data_version SET accounted = version WHERE id = 1').run();
          }
          const tags = invalidates && (result.before || result.after) ? invalidates(result) : [];
          return tags.length ? { ...result, outboxId: this.outbox.insert(tags) } : result;
          // IMMEDIATE: the write lock is taken at BEGIN, which SqliteWriteLock retries until it is free. A deferred
          // transaction reads first and fails at once with SQLITE_BUSY_SNAPSHOT when another process
          // committed in between (seen as a 503 in the chaos suite, two instances writing one file).
        })
        .immediate(),
    );
  }

  private linkGenres(animeId: number, genres: readonly string[]): void {
    this.db.prepare('DELETE FROM anime_genres WHERE anime_id = ?').run(animeId);
    for (const genre of genres) {
      this.insertGenre.run(genre);
      this.linkGenre.run(animeId, genre);
    }
  }

  private async guardUnique<T>(sourceId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`an anime with sourceId "${sourceId}" already exists`);
      throw error;
    }
  }

  async create(input: AnimeInput, invalidates?: InvalidatedTags): Promise<WriteResult> {
    const now = new Date().toISOString();
    return this.guardUnique(input.sourceId, () =>
      this.apiWrite(() => {
        const { lastInsertRowid } = this.db
          .prepare(
            `INSERT INTO animes (source_id, title, type, year, score, episodes, genres_json, version, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          )
          .run(
            input.sourceId,
            input.title,
            input.type,
            input.year,
            input.score,
            input.episodes,
            JSON.stringify(input.genres),
            now,
            now,
          );
        this.linkGenres(Number(lastInsertRowid), input.genres);
        return { before: null, after: toAnime(this.byId.get(lastInsertRowid) as AnimeRow) };
      }, invalidates),
    );
  }

  private current(id: number, expectedVersion?: number): Anime | null {
    const row = this.byId.get(id) as AnimeRow | undefined;
    if (!row) return null;
    if (expectedVersion !== undefined && row.version !== expectedVersion) {
      throw new PreconditionFailedError(`anime ${id} is at version ${row.version}, not ${expectedVersion}`);
    }
    return toAnime(row);
  }

  async update(
    id: number,
    input: AnimeInput,
    expectedVersion?: number,
    invalidates?: InvalidatedTags,
  ): Promise<WriteResult> {
    return this.guardUnique(input.sourceId, () =>
      this.apiWrite(() => {
        const before = this.current(id, expectedVersion);
        if (!before) return { before: null, after: null };
        this.db
          .prepare(
            `UPDATE animes SET source_id = ?, title = ?, type = ?, year = ?, score = ?, episodes = ?, genres_json = ?,
             version = version + 1, updated_at = ? WHERE id = ?`,
          )
          .run(
            input.sourceId,
            input.title,
            input.type,
            input.year,
            input.score,
            input.episodes,
            JSON.stringify(input.genres),
            new Date().toISOString(),
            id,
          );
        this.linkGenres(id, input.genres);
        return { before, after: toAnime(this.byId.get(id) as AnimeRow) };
      }, invalidates),
    );
  }

  async remove(id: number, expectedVersion?: number, invalidates?: InvalidatedTags): Promise<WriteResult> {
    return this.apiWrite(() => {
      const before = this.current(id, expectedVersion);
      if (before) this.db.prepare('DELETE FROM animes WHERE id = ?').run(id);
      return { before, after: null };
    }, invalidates);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
