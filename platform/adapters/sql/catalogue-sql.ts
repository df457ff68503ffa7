import { LIST_COLUMNS, listTables } from '../../../catalogue/ddl';
import type { AnimeInput } from '../../core/domain/anime';
import type { AnimeFilter, AnimeSort, PageRequest } from '../../core/domain/query';
import { ANIME_ROW_COLUMNS, RECORD_COLUMNS, recordValues } from './anime-row';
import type { SqlDialect, SqlDialectRules } from './dialect';
import { orderBy, seekPredicate, whereClause } from './filter-sql';

/** A statement and its positional parameters. Values never enter the text. */
export interface Query {
  readonly text: string;
  readonly params: readonly unknown[];
}

/**
 * Every statement the catalogue repository and the outbox issue, for one dialect. Written once;
 * the T-SQL texts are parsed by a unit test, the SQLite ones run in the contract suite.
 */
export function catalogueSql(dialect: SqlDialect) {
  const query = (build: (rules: SqlDialectRules) => string): Query => {
    const params: unknown[] = [];
    const text = build(dialect.rules(params));
    return { text, params };
  };
  const fixed = (text: string): Query => ({ text, params: [] });
  const filtered = (filter: AnimeFilter, rules: SqlDialectRules) => {
    const where = whereClause(filter, rules);
    return where.length ? ` WHERE ${where.join(' AND ')}` : '';
  };
  const lists = LIST_COLUMNS.map((column) => ({ column, ...listTables(column) }));

  return {
    list: (filter: AnimeFilter, sort: AnimeSort, page?: PageRequest) =>
      query((rules) => {
        const where = whereClause(filter, rules);
        if (page?.after) where.push(seekPredicate(sort, page.after, rules));
        const rows = page ? page.limit + 1 : undefined;
        return `SELECT ${rows ? dialect.top(rows) : ''}${ANIME_ROW_COLUMNS} FROM animes a${
          where.length ? ` WHERE ${where.join(' AND ')}` : ''
        } ORDER BY ${orderBy(sort, rules)}${rows ? dialect.limit(rows) : ''}`;
      }),
    byId: (id: number, locked = false) =>
      query(
        ({ bind }) =>
          `SELECT ${ANIME_ROW_COLUMNS} FROM animes a${locked ? dialect.holdLock : ''} WHERE a.id = ${bind(id)}`,
      ),
    // Facets and stats count the rows the filter matches (all of them with an empty filter).
    genreFacets: (filter: AnimeFilter = {}) =>
      query(
        (rules) =>
          `SELECT g.name AS value, COUNT(*) AS count FROM animes a JOIN anime_genres ag ON ag.anime_id = a.id JOIN genres g ON g.id = ag.genre_id${filtered(filter, rules)} GROUP BY g.id, g.name ORDER BY count DESC, g.name`,
      ),
    typeFacets: (filter: AnimeFilter = {}) =>
      query(
        (rules) =>
          `SELECT a.type AS value, COUNT(*) AS count FROM animes a${filtered(filter, rules)} GROUP BY a.type ORDER BY count DESC, a.type`,
      ),
    count: (filter: AnimeFilter) =>
      query((rules) => `SELECT COUNT(*) AS total FROM animes a${filtered(filter, rules)}`),
    totals: (filter: AnimeFilter = {}) =>
      query(
        (rules) =>
          `SELECT COUNT(*) AS total, AVG(CAST(a.score AS FLOAT)) AS averageScore FROM animes a${filtered(filter, rules)}`,
      ),
    byYear: (filter: AnimeFilter = {}) =>
      query(
        (rules) =>
          `SELECT a.year AS year, COUNT(*) AS count FROM animes a${filtered(filter, rules)} GROUP BY a.year ORDER BY CASE WHEN a.year IS NULL THEN 1 ELSE 0 END, a.year`,
      ),
    marker: (locked = false) =>
      fixed(`SELECT version, accounted FROM data_version${locked ? dialect.holdLock : ''} WHERE id = 1`),
    markAccounted: (version: number) =>
      query(
        ({ bind }) =>
          `UPDATE data_version SET accounted = ${bind(version)} WHERE id = 1 AND version = ${bind(version)}`,
      ),
    accountAll: fixed('UPDATE data_version SET accounted = version WHERE id = 1'),
    insertAnime: (input: AnimeInput) =>
      query(
        ({ bind }) =>
          `INSERT INTO animes (${RECORD_COLUMNS.join(', ')}, version, created_at, updated_at) VALUES (${recordValues(
            input,
          )
            .map(bind)
            .join(', ')}, 1, ${dialect.now}, ${dialect.now})${dialect.returningId}`,
      ),
    updateAnime: (id: number, input: AnimeInput) =>
      query(({ bind }) => {
        const values = recordValues(input);
        const set = RECORD_COLUMNS.map((column, i) => `${column} = ${bind(values[i])}`).join(', ');
        return `UPDATE animes SET ${set}, version = version + 1, updated_at = ${dialect.now} WHERE id = ${bind(id)}`;
      }),
    deleteAnime: (id: number) => query(({ bind }) => `DELETE FROM animes WHERE id = ${bind(id)}`),
    /** For each list column: unlink a record's items, then add and link each item. */
    relinkLists: (id: number, input: AnimeInput): Query[] =>
      lists.flatMap(({ column, lookup, link, itemKey }) => {
        const items = (input as Record<string, unknown>)[column.field] as readonly string[];
        return [
          query(({ bind }) => `DELETE FROM ${link} WHERE anime_id = ${bind(id)}`),
          ...items.flatMap((item) => [
            query(
              ({ bind }) =>
                `INSERT INTO ${lookup} (name) SELECT ${bind(item)} WHERE NOT EXISTS (SELECT 1 FROM ${lookup}${dialect.holdLock} WHERE name = ${bind(item)})`,
            ),
            query(
              ({ bind }) =>
                `INSERT INTO ${link} (anime_id, ${itemKey}) SELECT ${bind(id)}, g.id FROM ${lookup} g WHERE g.name = ${bind(item)}
AND NOT EXISTS (SELECT 1 FROM ${link} x WHERE x.anime_id = ${bind(id)} AND x.${itemKey} = g.id)`,
            ),
          ]),
        ];
      }),
    appendOutbox: (tags: readonly string[]) =>
      query(
        ({ bind }) =>
          `INSERT INTO cache_outbox (tags_json, created_at) VALUES (${bind(JSON.stringify(tags))}, ${dialect.now})${dialect.returningId}`,
      ),
    pendingOutbox: (limit: number) =>
      fixed(`SELECT ${dialect.top(limit)}id, tags_json FROM cache_outbox ORDER BY id${dialect.limit(limit)}`),
    outboxEntry: (id: number) => query(({ bind }) => `SELECT id FROM cache_outbox WHERE id = ${bind(id)}`),
    removeOutbox: (ids: readonly number[]) =>
      query(
        ({ bind }) =>
          `DELETE FROM cache_outbox WHERE id IN (${dialect.jsonIntegers(bind(JSON.stringify(ids)))})`,
      ),
    outboxSize: fixed('SELECT COUNT(*) AS n FROM cache_outbox'),
    ping: fixed('SELECT 1 AS ok'),
  };
}

export type CatalogueSql = ReturnType<typeof catalogueSql>;
