import fc from 'fast-check';
import { Parser } from 'node-sql-parser';
import { TSQL_MIGRATIONS } from '../../api/adapters/mssql/migrations';
import { listQuery } from '../../api/adapters/mssql/mssql-anime-repository';
import { loaderStatements, SQL } from '../../api/adapters/mssql/statements';
import { ANIME_TYPES } from '../../api/core/domain/anime';
import { SORT_FIELDS } from '../../api/core/domain/query';
import { SCALAR_COLUMNS } from '../../pipelines/ingest/ddl';
import { ANIME_COLUMNS } from '../../pipelines/ingest/definition';

const parser = new Parser();
const parses = (text: string) => parser.astify(text, { database: 'transactsql' });

describe('every statement the mssql adapter issues parses as T-SQL', () => {
  it.each(Object.entries(SQL))('%s', (_name, text) => {
    expect(() => parses(text)).not.toThrow();
  });

  it.each(Object.entries(loaderStatements(`etl_staging_${'0'.repeat(32)}`)))('loader: %s', (_name, text) => {
    expect(() => parses(text)).not.toThrow();
  });

  it('refuses a staging table name that is not ours', () => {
    expect(() => loaderStatements('animes; DROP TABLE users')).toThrow(/bad staging table name/);
  });

  const HOSTILE = ["'; DROP TABLE animes;--", '%_[', ']]', 'Robert"); DELETE FROM genres;--', '@p0', '魔法'];
  const hostile = fc.constantFrom(...HOSTILE);
  const filter = fc.record(
    {
      types: fc.uniqueArray(fc.constantFrom(...ANIME_TYPES), { minLength: 1, maxLength: 3 }),
      genres: fc.array(fc.oneof(hostile, fc.string({ minLength: 1 })), { minLength: 1, maxLength: 3 }),
      year: fc.integer({ min: 1900, max: 2100 }),
      yearFrom: fc.integer({ min: 1900, max: 2100 }),
      minScore: fc.double({ min: 0, max: 10, noNaN: true }),
      q: fc.oneof(hostile, fc.string({ minLength: 1, maxLength: 50 })),
    },
    { requiredKeys: [] },
  );
  const sort = fc.record({ field: fc.constantFrom(...SORT_FIELDS), descending: fc.boolean() });
  const after = fc.record({
    value: fc.oneof(fc.constant(null), fc.integer(), hostile),
    id: fc.integer({ min: 1, max: 1e6 }),
  });

  it('list queries parse for any filter, sort and page, and carry every value as a parameter only', () => {
    fc.assert(
      fc.property(filter, sort, fc.option(after), fc.integer({ min: 1, max: 1000 }), (f, s, a, limit) => {
        const { text, params } = listQuery(f, s, { limit, ...(a ? { after: a } : {}) });
        expect(() => parses(text)).not.toThrow();
        for (const value of [...(f.genres ?? []), f.q].filter((v): v is string => typeof v === 'string'))
          if (HOSTILE.includes(value) && value.length > 3) expect(text).not.toContain(value);
        expect(text.match(/@p\d+/g)?.length ?? 0).toBe(params.length);
        if (f.q)
          expect(params.some((p) => String(p.value).includes(f.q!.replace(/[[%_]/g, (c) => `[${c}]`)))).toBe(
            true,
          );
      }),
      { numRuns: 300 },
    );
  });

  it('escapes LIKE specials the T-SQL way', () => {
    const { params } = listQuery({ q: '100%_[x' }, { field: 'id', descending: false });
    expect(params[0]!.value).toBe('%100[%][_][[]x%');
  });
});

describe('T-SQL migrations derived from the ingest definition', () => {
  const ddl = TSQL_MIGRATIONS.flatMap((m) => m.batches).join('\n');

  it('declares every scalar column of the definition, the version columns and the outbox', () => {
    for (const column of SCALAR_COLUMNS) expect(ddl).toMatch(new RegExp(`\\[${column.column}\\] [A-Z]+`));
    expect(ddl).toContain('ADD row_version ROWVERSION NOT NULL');
    expect(ddl).toMatch(/CREATE TRIGGER trg_animes_data_version ON animes AFTER INSERT, UPDATE, DELETE/);
    expect(ddl).toMatch(/CREATE TRIGGER trg_anime_genres_data_version/);
    expect(ddl).toContain('CREATE TABLE cache_outbox');
    expect(ddl).toContain('CREATE PROCEDURE merge_staged_animes');
  });

  it('lands every definition column in the Data Factory staging table', () => {
    const staging = TSQL_MIGRATIONS.flatMap((m) => m.batches).find((b) =>
      b.startsWith('CREATE TABLE animes_staging'),
    )!;
    for (const column of ANIME_COLUMNS) expect(staging).toContain(`[${column.column}] NVARCHAR(MAX) NULL`);
  });

  it('applies the profile rules in the merge procedure (null tokens, synonyms, list format)', () => {
    const procedure = TSQL_MIGRATIONS.flatMap((m) => m.batches).find((b) =>
      b.startsWith('CREATE PROCEDURE'),
    )!;
    expect(procedure).toContain("N'UNKNOWN'");
    expect(procedure).toContain("WHEN N'TV SPECIAL' THEN N'SPECIAL'");
    expect(procedure).toContain("@profile <> N'kaggle-animes'");
    expect(procedure).toContain('ingest_rejects');
  });

  it('keeps the DDL parseable, but for the forms the parser lacks (triggers, procedures, ROWVERSION, foreign keys)', () => {
    const batches = TSQL_MIGRATIONS.flatMap((m) => m.batches);
    const beyondParser = (b: string) => /^CREATE (TRIGGER|PROCEDURE)|ROWVERSION|FOREIGN KEY/.test(b);
    const plain = batches.filter((b) => !beyondParser(b));
    expect(batches.filter(beyondParser)).toHaveLength(6);
    expect(plain.length).toBeGreaterThan(12);
    for (const statement of plain) expect(() => parses(statement)).not.toThrow();
  });
});
