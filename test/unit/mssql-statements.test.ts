import fc from 'fast-check';
import { Parser } from 'node-sql-parser';
import { SCALAR_COLUMNS } from '../../catalogue/ddl';
import { ANIME_COLUMNS, MAPPED_COLUMNS } from '../../catalogue/definition';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { createRandom, GENRES, generateRow, KAGGLE_HEADER } from '../../etl/dataset-generator';
import { parsePythonList } from '../../etl/list-cells';
import { databaseUserBatches, grantBatches } from '../../platform/adapters/mssql/database-users';
import { PYTHON_LIST_TO_JSON } from '../../platform/adapters/mssql/merge-procedure';
import { MIGRATION_LOCK, repeatableBatches, TSQL_MIGRATIONS } from '../../platform/adapters/mssql/migrations';
import { loaderStatements, SQL } from '../../platform/adapters/mssql/statements';
import { requiredTrigrams, tsqlDialect } from '../../platform/adapters/mssql/tsql-dialect';
import { catalogueSql, type Query } from '../../platform/adapters/sql/catalogue-sql';
import { ANIME_TYPES } from '../../platform/core/domain/anime';
import { SORT_FIELDS } from '../../platform/core/domain/query';
import { animeRecord } from '../support/fixtures';
import { sqlparserRsErrors } from '../support/sqlparser-rs';

const parser = new Parser();
/** node-sql-parser's transactsql grammar. */
const parses = (text: string) => parser.astify(text, { database: 'transactsql' });

const HOSTILE = ["'; DROP TABLE animes;--", '%_[', ']]', 'Robert"); DELETE FROM genres;--', '@p0', '魔法'];
const hostile = fc.constantFrom(...HOSTILE);
const filter = fc.record(
  {
    type: fc.uniqueArray(fc.constantFrom(...ANIME_TYPES), { minLength: 1, maxLength: 3 }),
    genre: fc.array(fc.oneof(hostile, fc.string({ minLength: 1 })), { minLength: 1, maxLength: 3 }),
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

/**
 * sqlparser-rs's MsSqlDialect lacks TRY/CATCH, BREAK/CONTINUE, `EXEC @status =` and the ALTER
 * permission; these become forms it reads, so the rest of the text is still checked. (CREATE USER
 * ... FROM EXTERNAL PROVIDER it cannot read at all: its exact text is asserted below.)
 */
function withoutUnsupportedForms(text: string): string {
  return (
    text
      .replace(/\bBEGIN (TRY|CATCH)\b/g, 'BEGIN')
      .replace(/\bEND (TRY|CATCH)\b/g, 'END;')
      .replace(/\b(BREAK|CONTINUE);/g, 'SELECT 1;')
      .replace(/EXEC @\w+ = /g, 'EXEC ')
      .replace(/^(GRANT [A-Z, ]*)\bALTER\b/, '$1UPDATE')
      // A computed column: its expression still has to parse, as the SELECT of the same expression.
      .replace(/^ALTER TABLE (\w+) ADD (\w+) AS (.+) PERSISTED$/s, 'SELECT $3 AS $2 FROM $1')
  );
}

/** The versioned migrations, then the objects recreated on every migrate. */
const ALL_BATCHES = [...TSQL_MIGRATIONS.flatMap((m) => m.batches), ...repeatableBatches(kaggleAnimes)];
const catalogue = catalogueSql(tsqlDialect);
const listQuery = catalogue.list;
const record = animeRecord({
  source: 'kaggle',
  sourceId: "x'; DROP TABLE animes;--",
  title: '魔法',
  type: 'TV' as const,
  year: 2001,
  score: 8.5,
  episodes: null,
  genres: ['Action', "Girls' Love"],
  originalTitle: 'まほう',
});
/** One example of each catalogue statement, with arguments where it takes them. */
const CATALOGUE_STATEMENTS: [string, Query][] = [
  ['byId', catalogue.byId(7)],
  ['byId locked', catalogue.byId(7, true)],
  ['genreFacets', catalogue.genreFacets()],
  ['typeFacets', catalogue.typeFacets()],
  ['totals', catalogue.totals()],
  ['byYear', catalogue.byYear()],
  [
    'genreFacets filtered',
    catalogue.genreFacets({ type: ['OVA'], genre: ['action'], q: 'Ghost', minScore: 7 }),
  ],
  ['typeFacets filtered', catalogue.typeFacets({ yearFrom: 2000, yearTo: 2010 })],
  ['totals filtered', catalogue.totals({ type: ['TV', 'OVA'], maxScore: 8.5 })],
  ['byYear filtered', catalogue.byYear({ q: 'ab', source: ['mal'] })],
  ['marker locked', catalogue.marker(true)],
  ['markAccounted', catalogue.markAccounted(3)],
  ['accountAll', catalogue.accountAll],
  ['insertAnime', catalogue.insertAnime(record)],
  ['updateAnime', catalogue.updateAnime(7, record)],
  ['deleteAnime', catalogue.deleteAnime(7)],
  ...catalogue.relinkLists(7, record).map((q, i): [string, Query] => [`relinkLists ${i}`, q]),
  ['appendOutbox', catalogue.appendOutbox(['id:1', 'all'])],
  ['pendingOutbox', catalogue.pendingOutbox(100)],
  ['outboxEntry', catalogue.outboxEntry(4)],
  ['removeOutbox', catalogue.removeOutbox([1, 2])],
  ['outboxSize', catalogue.outboxSize],
  ['ping', catalogue.ping],
];

describe('every statement the mssql adapter issues parses as T-SQL', () => {
  it.each(Object.entries(SQL))('%s', (_name, text) => {
    expect(() => parses(text)).not.toThrow();
  });

  it.each(CATALOGUE_STATEMENTS)('catalogue: %s, with every value a parameter', (_name, query) => {
    expect(() => parses(query.text)).not.toThrow();
    expect(query.text.match(/@p\d+/g)?.length ?? 0).toBe(query.params.length);
    for (const value of query.params)
      if (typeof value === 'string' && value.length > 3) expect(query.text).not.toContain(value);
  });

  it.each(Object.entries(loaderStatements(`etl_staging_${'0'.repeat(32)}`)))('loader: %s', (_name, text) => {
    expect(() => parses(text)).not.toThrow();
  });

  it('refuses a staging table name that is not ours', () => {
    expect(() => loaderStatements('animes; DROP TABLE users')).toThrow(/bad staging table name/);
  });

  it('list queries parse for any filter, sort and page, and carry every value as a parameter only', () => {
    fc.assert(
      fc.property(filter, sort, fc.option(after), fc.integer({ min: 1, max: 1000 }), (f, s, a, limit) => {
        const { text, params } = listQuery(f, s, { limit, ...(a ? { after: a } : {}) });
        expect(() => parses(text)).not.toThrow();
        for (const value of [...(f.genre ?? []), f.q].filter((v): v is string => typeof v === 'string'))
          if (HOSTILE.includes(value) && value.length > 3) expect(text).not.toContain(value);
        expect(text.match(/@p\d+/g)?.length ?? 0).toBe(params.length);
        if (f.q)
          expect(params.some((p) => String(p).includes(f.q!.replace(/[[%_]/g, (c) => `[${c}]`)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes LIKE specials the T-SQL way', () => {
    const { params } = listQuery({ q: '100%_[x' }, { field: 'id', descending: false });
    expect(params.at(-1)).toBe('%100[%][_][[]x%');
  });

  it('orders nullable sorts by the persisted flags migration 006 indexes, in index key order', () => {
    for (const field of ['score', 'year'] as const) {
      const up = listQuery({}, { field, descending: false }).text;
      const down = listQuery({}, { field, descending: true }).text;
      expect(up).toContain(`ORDER BY a.${field}_missing ASC, a.${field} ASC, a.id ASC`);
      expect(down).toContain(`ORDER BY a.${field}_missing ASC, a.${field} DESC, a.id ASC`);
      const index = (suffix: string) =>
        ALL_BATCHES.some((b) =>
          b.startsWith(
            `CREATE INDEX ix_animes_${field}_sort${suffix} ON animes (${field}_missing, [${field}]`,
          ),
        );
      expect([index(''), index('_desc')]).toEqual([true, true]);
    }
  });

  it('narrows q by the title trigram table, then decides by the same LIKE', () => {
    const { text, params } = listQuery({ q: 'Ghost in' }, { field: 'id', descending: false });
    expect(
      text.match(/a\.id IN \(SELECT anime_id FROM anime_title_trigrams WHERE trigram = @p\d+\)/g),
    ).toHaveLength(6);
    expect(text).toContain('a.title LIKE');
    // Once per title column: the title and the original title.
    expect(params).toEqual([...requiredTrigrams('Ghost in'), '%Ghost in%', '%Ghost in%']);
    // Too short for a trigram: LIKE alone, as before.
    expect(listQuery({ q: 'Gh' }, { field: 'id', descending: false }).text).not.toContain(
      'anime_title_trigrams',
    );
  });

  it('asks for distinct trigrams by UTF-16 code unit, spread over the text, first and last included', () => {
    expect(requiredTrigrams('abcd')).toEqual(['abc', 'bcd']);
    expect(requiredTrigrams('aaaa')).toEqual(['aaa']);
    expect(requiredTrigrams('ab')).toEqual([]);
    // 攻殻 are one unit each; the emoji is a surrogate pair, counted as two as SUBSTRING does.
    expect(requiredTrigrams('攻殻😀')).toEqual(['攻殻\ud83d', '殻😀']);
    const long = requiredTrigrams('the quick brown fox jumps');
    expect(long).toHaveLength(6);
    expect(long[0]).toBe('the');
    expect(long.at(-1)).toBe('mps');
  });
});

describe('T-SQL migrations derived from the ingest definition', () => {
  const ddl = ALL_BATCHES.join('\n');

  it('declares every scalar column of the definition, the version columns and the outbox', () => {
    for (const column of SCALAR_COLUMNS) expect(ddl).toMatch(new RegExp(`\\[${column.column}\\] [A-Z]+`));
    expect(ddl).toContain('ADD row_version ROWVERSION NOT NULL');
    expect(ddl).toMatch(/CREATE TRIGGER trg_animes_data_version ON animes AFTER INSERT, UPDATE, DELETE/);
    expect(ddl).toMatch(/CREATE TRIGGER trg_anime_genres_data_version/);
    expect(ddl).toContain('CREATE TABLE cache_outbox');
    expect(ddl).toContain('CREATE OR ALTER PROCEDURE merge_staged_animes');
  });

  it('lands every mapped definition column in the Data Factory staging table (the source is a parameter)', () => {
    // Created by migration 004, and widened by each add-a-column migration after it.
    const staging = ALL_BATCHES.filter((b) => /^(CREATE|ALTER) TABLE animes_staging/.test(b)).join('\n');
    for (const column of MAPPED_COLUMNS) expect(staging).toContain(`[${column.column}] NVARCHAR(MAX) NULL`);
    const procedure = ALL_BATCHES.find((b) => b.startsWith('CREATE OR ALTER PROCEDURE'))!;
    expect(procedure).toContain(`@source NVARCHAR(32) = N'${kaggleAnimes.source}'`);
    expect(procedure).toMatch(/IF @source IS NULL OR @source <> N'kaggle' .* THROW 50004/);
    expect(procedure).toContain('DELETE FROM animes WHERE animes.[source] = @source AND NOT EXISTS');
  });

  it('applies the profile rules in the merge procedure (null tokens, synonyms, list format)', () => {
    const procedure = ALL_BATCHES.find((b) => b.startsWith('CREATE OR ALTER PROCEDURE'))!;
    expect(procedure).toContain("N'UNKNOWN'");
    expect(procedure).toContain("WHEN N'TV SPECIAL' THEN N'SPECIAL'");
    expect(procedure).toContain("@profile <> N'kaggle-animes'");
    expect(procedure).toContain('ingest_rejects');
  });

  // T-SQL's REPLACE swaps every non-overlapping match left to right, as split/join does.
  const toJson = (cell: string) =>
    PYTHON_LIST_TO_JSON.reduce((text, [from, to]) => text.split(from).join(to), cell);

  it('turns the Python list literals pandas writes into the JSON lists the ETL reads', () => {
    const genresAt = KAGGLE_HEADER.indexOf('genres');
    const random = createRandom(5);
    const cells = Array.from({ length: 3000 }, (_, i) => generateRow(i + 1, random)[genresAt]!);
    expect(cells.some((cell) => cell.includes("Girls' Love"))).toBe(true);
    const awkward = [
      '[]',
      `["Girls' Love", 'Drama']`,
      `['It\\'s "quoted"', 'Back\\\\slash']`,
      `['Action','Sci-Fi']`,
      ...GENRES.map((genre) => `[${genre.includes("'") ? `"${genre}"` : `'${genre}'`}]`),
    ];
    for (const cell of [...cells, ...awkward]) {
      expect([cell, JSON.parse(toJson(cell))]).toEqual([cell, parsePythonList(cell)]);
    }
  });

  it('renders that rewrite into the merge procedure, with the mark as NCHAR(1)', () => {
    const procedure = ALL_BATCHES.find((b) => b.startsWith('CREATE OR ALTER PROCEDURE'))!;
    expect(procedure.match(/REPLACE\(/g)!.length).toBeGreaterThanOrEqual(PYTHON_LIST_TO_JSON.length);
    expect(procedure).toContain(`N'[' + NCHAR(1)`);
    expect(procedure).not.toContain('\u0001');
  });

  it('keeps the DDL parseable by node-sql-parser, but for the forms it lacks', () => {
    const batches = ALL_BATCHES;
    const beyondNodeSqlParser = (b: string) =>
      /^CREATE (TRIGGER|OR ALTER (PROCEDURE|TRIGGER))|^WITH |ROWVERSION|FOREIGN KEY/.test(b);
    expect(batches.filter(beyondNodeSqlParser)).toHaveLength(11);
    for (const batch of batches.filter((b) => !beyondNodeSqlParser(b)))
      expect(() => parses(withoutUnsupportedForms(batch))).not.toThrow();
  });
});

/** A second grammar, datafusion-sqlparser-rs's MsSqlDialect, which also reads triggers, procedures, ROWVERSION and foreign keys. */
describe('every statement and migration batch also parses in sqlparser-rs', () => {
  it('parses every statement, loader statement, migration batch and a sample of list queries', () => {
    const queries = fc
      .sample(fc.tuple(filter, sort), 200)
      .map(([filter, order]) => listQuery(filter, order).text);
    const named: [string, string][] = [
      ...Object.entries(SQL),
      ...Object.entries(loaderStatements(`etl_staging_${'0'.repeat(32)}`)),
      ...TSQL_MIGRATIONS.flatMap((m) =>
        m.batches.map((batch, i) => [`${m.name} #${i}`, withoutUnsupportedForms(batch)] as [string, string]),
      ),
      ...repeatableBatches(kaggleAnimes).map(
        (batch, i) => [`repeatable #${i}`, withoutUnsupportedForms(batch)] as [string, string],
      ),
      ...CATALOGUE_STATEMENTS.map(([name, query]) => [`catalogue ${name}`, query.text] as [string, string]),
      ...queries.map((text, i) => [`list query ${i}`, text] as [string, string]),
    ];
    const errors = sqlparserRsErrors(named.map(([, text]) => text));
    expect(named.map(([name], i) => [name, errors[i]])).toEqual(named.map(([name]) => [name, null]));
  });

  it('rejects broken T-SQL of the same forms', () => {
    const broken = [
      'CREATE TRIGGER trg_x ON animes AFTER INSERT BEGIN SET NOCOUNT ON; END',
      'CREATE PROCEDURE p (@a INT) AS BEGIN SELECT @a; ',
      'CREATE TRIGGER trg_x ON animes AFTER INSERT AS BEGIN UPDATE data_version SET WHERE id = 1; END',
      'ALTER TABLE animes ADD row_version ROWVERSION NOT',
      'CREATE TABLE t (a INT, CONSTRAINT fk FOREIGN KEY (a) REFERENCES)',
      'SELECT id FROM animes WHERE',
    ];
    expect(sqlparserRsErrors(broken)).toEqual(broken.map(() => expect.stringContaining('sql parser error')));
  });
});

describe('the merge procedure and loader under concurrency and bad data (issue 15)', () => {
  const procedure = repeatableBatches(kaggleAnimes)[0]!;
  const merge = loaderStatements(`etl_staging_${'0'.repeat(32)}`);

  it('locks data_version first, inside the transaction, as API writes do', () => {
    const begin = procedure.indexOf('BEGIN TRANSACTION');
    const lock = procedure.indexOf('FROM data_version WITH (UPDLOCK, HOLDLOCK)');
    expect(lock).toBeGreaterThan(begin);
    expect(lock).toBeLessThan(procedure.indexOf('UPDATE a SET'));
    expect(SQL.lockMarker).toContain('WITH (UPDLOCK, HOLDLOCK)');
  });

  it('retries a deadlock victim before COMMIT, twice at most, and rethrows anything else', () => {
    expect(procedure).toMatch(/IF ERROR_NUMBER\(\) = 1205 AND @attempt < 3/);
    expect(procedure.indexOf('CONTINUE')).toBeGreaterThan(procedure.indexOf('ROLLBACK TRANSACTION'));
    expect(procedure).toMatch(/THROW;\s*END CATCH/);
  });

  it('clears staging inside the transaction with DELETE, never TRUNCATE (which needs ALTER)', () => {
    expect(procedure).not.toContain('TRUNCATE');
    expect(procedure.indexOf('DELETE FROM animes_staging')).toBeLessThan(
      procedure.indexOf('COMMIT TRANSACTION'),
    );
  });

  it('refuses a replace with no valid staged rows before touching anything', () => {
    const guard = procedure.indexOf("IF @mode = N'replace' AND NOT EXISTS (SELECT 1 FROM #valid)");
    expect(guard).toBeGreaterThan(0);
    expect(guard).toBeLessThan(procedure.indexOf('BEGIN TRANSACTION'));
  });

  it('rejects rows over the genre limits instead of aborting the load', () => {
    const genres = ANIME_COLUMNS.find((c) => c.kind === 'textList')!;
    if (genres.kind !== 'textList') throw new Error('unreachable');
    expect(procedure).toContain(`> ${genres.maxItems} THEN N'genres has more than ${genres.maxItems} items'`);
    expect(procedure).toContain(`LEN(value) > ${genres.itemMaxLength}`);
  });

  it('saves case-only changes: text compares under a binary collation, numbers as they are', () => {
    expect(merge.updateChanged).toContain(
      'a.title COLLATE Latin1_General_100_BIN2 <> v.title COLLATE Latin1_General_100_BIN2',
    );
    expect(merge.updateChanged).not.toContain('a.year COLLATE');
  });

  it('migrates under an application lock, in one transaction', () => {
    expect(MIGRATION_LOCK).toContain(
      "sp_getapplock @Resource = N'anime-platform:migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction'",
    );
  });

  it('all of it, and the database grants, parse in sqlparser-rs (past the forms it lacks)', () => {
    const batches = [
      procedure,
      MIGRATION_LOCK,
      SQL.lockMarker,
      ...grantBatches('app', APP.name),
      ...grantBatches('ingest', INGEST.name),
    ];
    expect(sqlparserRsErrors(batches.map(withoutUnsupportedForms))).toEqual(batches.map(() => null));
  });
});

const APP = { name: 'app-anime-dev-1aca4b', objectId: '0f8fad5b-d9cb-469f-a165-70867728950e' };
const INGEST = { name: 'adf-anime-dev-1aca4b', objectId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' };

describe('database bootstrap: least-privilege users for the app and Data Factory', () => {
  const batches = databaseUserBatches(APP, INGEST);

  it('creates each user once, by object id, idempotently', () => {
    expect(batches[0]).toBe(`IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'${APP.name}')
  CREATE USER [${APP.name}] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${APP.objectId}'`);
    expect(batches.filter((b) => b.includes('CREATE USER'))).toHaveLength(2);
  });

  it('gives the app data rights on its own tables only: no DDL, no EXECUTE, nothing database-wide', () => {
    const app = batches.filter((b) => b.includes(`TO [${APP.name}]`));
    for (const grant of app)
      expect(grant).toMatch(
        /^GRANT (SELECT|INSERT|UPDATE|DELETE)(, (SELECT|INSERT|UPDATE|DELETE))* ON dbo\.\w+ TO /,
      );
    expect(app.some((g) => g.includes('animes_staging'))).toBe(false);
    expect(batches.some((b) => /GRANT [A-Z, ]+ TO/.test(b))).toBe(false);
  });

  it('gives Data Factory the staging table (ALTER for its TRUNCATE) and EXECUTE on the merge alone', () => {
    const ingest = batches.filter((b) => b.includes(`TO [${INGEST.name}]`));
    expect(ingest).toEqual([
      `GRANT SELECT, INSERT, ALTER ON dbo.animes_staging TO [${INGEST.name}]`,
      `GRANT EXECUTE ON dbo.merge_staged_animes TO [${INGEST.name}]`,
    ]);
  });

  it('refuses names and ids that could break out of the DDL, naming them', () => {
    expect(() => databaseUserBatches({ name: 'app]; DROP USER x;--', objectId: APP.objectId })).toThrow(
      'database user name "app]; DROP USER x;--" is not a resource name',
    );
    expect(() => databaseUserBatches({ name: APP.name, objectId: "x'; --" })).toThrow(/is not a GUID/);
  });
});

describe('a partial mapping on SQL Server (issue 17)', () => {
  it('updates only the mapped columns of existing rows, and still parses', () => {
    const partial = loaderStatements(`etl_staging_${'0'.repeat(32)}`, ['sourceId', 'title', 'type', 'score']);
    expect(partial.updateChanged).toContain('a.score = v.score');
    expect(partial.updateChanged).not.toMatch(/a\.(year|episodes|genres_json) = /);
    const idOnly = loaderStatements(`etl_staging_${'0'.repeat(32)}`, ['sourceId']);
    expect(idOnly.updateChanged).toBe('UPDATE animes SET version = version WHERE 1 = 0');
    expect(sqlparserRsErrors([partial.updateChanged, idOnly.updateChanged])).toEqual([null, null]);
  });

  it('the merge procedure of a profile leaves its unmapped fields alone', () => {
    const scoresOnly = {
      ...kaggleAnimes,
      name: 'scores-only',
      fields: {
        sourceId: kaggleAnimes.fields.sourceId,
        title: kaggleAnimes.fields.title,
        type: kaggleAnimes.fields.type,
        score: kaggleAnimes.fields.score,
      },
    };
    const procedure = repeatableBatches(scoresOnly)[0]!;
    expect(procedure).toContain('a.score = v.score');
    expect(procedure).not.toContain('a.year = v.year');
  });
});
