import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANIME_COLUMNS } from '../../catalogue/definition';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { writeDataset } from '../../etl/generate';
import { loadCsv } from '../../etl/load-csv';
import { openPool } from '../../platform/adapters/mssql/connection';
import { grantBatches } from '../../platform/adapters/mssql/database-users';
import {
  assertSchemaCurrent,
  migrate,
  SchemaNotCurrentError,
  TSQL_MIGRATIONS,
} from '../../platform/adapters/mssql/migrations';
import { MssqlCatalogueLoader } from '../../platform/adapters/mssql/mssql-catalogue-loader';
import { MssqlExecutor } from '../../platform/adapters/mssql/mssql-executor';
import { MssqlUserStore } from '../../platform/adapters/mssql/mssql-user-store';
import { storedColumn } from '../../platform/adapters/sql/anime-row';
import { SqlAnimeRepository } from '../../platform/adapters/sql/sql-anime-repository';
import { SqlInvalidationOutbox } from '../../platform/adapters/sql/sql-invalidation-outbox';
import { ConflictError } from '../../platform/core/ports/anime-repository';
import { animeRecord } from '../support/fixtures';
import { describeAccountStoreContract } from './account-store.contract';
import { describeCatalogueStoreContract } from './anime-repository.contract';

/**
 * The same contract as SQLite, against a real SQL Server when MSSQL_CONNECTION_STRING points at one
 * (the GitHub Actions workflow runs mcr.microsoft.com/mssql/server:2022-latest). These machines
 * cannot run SQL Server, so here it skips, saying so.
 */
const connectionString = process.env.MSSQL_CONNECTION_STRING;
if (!connectionString)
  console.warn('\n!!! SKIPPING the SQL Server contract suite: set MSSQL_CONNECTION_STRING to run it !!!\n');

(connectionString ? describe : describe.skip)('SQL Server', () => {
  describeCatalogueStoreContract('mssql', async () => {
    const pool = await openPool({ connectionString });
    await migrate(pool);
    // A clean catalogue for the suite; the schema stays.
    await pool
      .request()
      .batch(
        'DELETE FROM anime_genres; DELETE FROM animes; DELETE FROM genres; DELETE FROM cache_outbox; DELETE FROM local_credentials; DELETE FROM users;',
      );
    return {
      repository: new SqlAnimeRepository(new MssqlExecutor(pool)),
      loader: new MssqlCatalogueLoader(pool),
      outbox: new SqlInvalidationOutbox(new MssqlExecutor(pool)),
      users: new MssqlUserStore(pool),
      dispose: () => pool.close(),
    };
  });

  describeAccountStoreContract('mssql', async () => {
    const pool = await openPool({ connectionString });
    await migrate(pool);
    const store = new MssqlUserStore(pool);
    return { users: store, sessions: store, credentials: store, dispose: () => pool.close() };
  });

  it('migrates a database to exactly the definition, column for column', async () => {
    const pool = await openPool({ connectionString });
    try {
      await migrate(pool);
      const { recordset } = await pool
        .request()
        .query<{ name: string; nullable: string }>(
          "SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'animes' AND COLUMNPROPERTY(OBJECT_ID(N'animes'), COLUMN_NAME, 'IsComputed') = 0 ORDER BY ORDINAL_POSITION",
        );
      const stored = recordset.filter(
        (c) => !['id', 'version', 'created_at', 'updated_at', 'row_version'].includes(c.name),
      );
      expect(stored).toEqual(
        ANIME_COLUMNS.map((c) => ({
          name: storedColumn(c),
          nullable: c.kind !== 'textList' && c.nullable ? 'YES' : 'NO',
        })),
      );
    } finally {
      await pool.close();
    }
  });

  it('keeps the title trigram table in step with titles: inserts, title changes, deletes (migration 006)', async () => {
    const pool = await openPool({ connectionString });
    const trigramsOf = async (sourceId: string) =>
      (
        await pool
          .request()
          .input('sourceId', sourceId)
          .query<{ trigram: string }>(
            'SELECT t.trigram FROM anime_title_trigrams t JOIN animes a ON a.id = t.anime_id WHERE a.source_id = @sourceId',
          )
      ).recordset
        .map((r) => r.trigram)
        .sort();
    const windows = (title: string) =>
      [...new Set(Array.from({ length: title.length - 2 }, (_, i) => title.slice(i, i + 3)))].sort();
    try {
      await migrate(pool);
      await pool
        .request()
        .batch(
          "DELETE FROM animes WHERE source_id LIKE N'trigram-probe-%'; INSERT INTO animes ([source], source_id, [title], [type], genres_json, created_at, updated_at) VALUES (N'kaggle', N'trigram-probe-1', N'Mononoke 攻殻機動隊', N'TV', N'[]', SYSUTCDATETIME(), SYSUTCDATETIME()), (N'kaggle', N'trigram-probe-2', N'Xy', N'TV', N'[]', SYSUTCDATETIME(), SYSUTCDATETIME())",
        );
      expect(await trigramsOf('trigram-probe-1')).toEqual(windows('Mononoke 攻殻機動隊'));
      expect(await trigramsOf('trigram-probe-2')).toEqual([]);
      await pool
        .request()
        .batch(
          "UPDATE animes SET [title] = N'Akira 2', [episodes] = 3 WHERE source_id = N'trigram-probe-1'; UPDATE animes SET [episodes] = 4 WHERE source_id = N'trigram-probe-2'",
        );
      expect(await trigramsOf('trigram-probe-1')).toEqual(windows('Akira 2'));
      await pool.request().batch("DELETE FROM animes WHERE source_id LIKE N'trigram-probe-%'");
      const { recordset } = await pool
        .request()
        .query<{ orphans: number }>(
          'SELECT COUNT(*) AS orphans FROM anime_title_trigrams t WHERE NOT EXISTS (SELECT 1 FROM animes a WHERE a.id = t.anime_id)',
        );
      expect(recordset[0]!.orphans).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('upgrades a database from before sources: its rows join the kaggle namespace, keyed by (source, sourceId)', async () => {
    const server = await openPool({ connectionString });
    await server
      .request()
      .batch(
        "IF DB_ID(N'anime_upgrade') IS NOT NULL DROP DATABASE anime_upgrade; CREATE DATABASE anime_upgrade;",
      );
    // A later Database= wins over the first in a connection string.
    const pool = await openPool({ connectionString: `${connectionString};Database=anime_upgrade` });
    try {
      // The schema as a build before sources left it: migrations 1-4 and their ledger.
      const old = TSQL_MIGRATIONS.filter((m) => m.version < 5);
      for (const migration of old) for (const batch of migration.batches) await pool.request().batch(batch);
      await pool.request().batch(
        `CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(100) NOT NULL, applied_at DATETIME2(3) NOT NULL);
INSERT INTO schema_migrations (version, name, applied_at) VALUES ${old.map((m) => `(${m.version}, N'${m.name}', SYSUTCDATETIME())`).join(', ')};
INSERT INTO animes (source_id, title, type, genres_json, created_at, updated_at) VALUES (N'356', N'Seeded', N'TV', N'[]', SYSUTCDATETIME(), SYSUTCDATETIME());`,
      );
      expect(await migrate(pool)).toEqual([5]);
      const { recordset } = await pool.request().query('SELECT [source], source_id, title FROM animes');
      expect(recordset).toEqual([{ source: 'kaggle', source_id: '356', title: 'Seeded' }]);
      const repository = new SqlAnimeRepository(new MssqlExecutor(pool));
      const other = animeRecord({
        source: 'kaggle',
        sourceId: '356',
        title: 'Other',
        type: 'TV' as const,
        year: null,
        score: null,
        episodes: null,
      });
      await expect(repository.create({ ...other, source: 'bangumi' })).resolves.toBeDefined();
      await expect(repository.create({ ...other, source: 'kaggle' })).rejects.toBeInstanceOf(ConflictError);
    } finally {
      await pool.close();
      await server.request().batch('DROP DATABASE anime_upgrade');
      await server.close();
    }
  }, 120_000);

  describe('the ETL into SQL Server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anime-mssql-etl-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('loads a generated file, keeps bad rows out, and leaves the data intact when a load fails', async () => {
      const pool = await openPool({ connectionString });
      await migrate(pool);
      await pool.request().batch('DELETE FROM anime_genres; DELETE FROM animes; DELETE FROM genres;');
      const loader = new MssqlCatalogueLoader(pool);
      const csv = join(dir, 'animes.csv');
      await writeDataset(csv, 500, 7);
      writeFileSync(csv, `${readFileSync(csv, 'utf8')}bad-1,Broken,,NOT_A_TYPE,1999,5,1,,,,[],\n`);
      const summary = await loadCsv({ input: csv, profile: kaggleAnimes, loader, mode: 'replace' });
      expect(summary.valid).toBe(500);
      expect(summary.rejected).toBe(1);
      const repository = new SqlAnimeRepository(new MssqlExecutor(pool));
      expect((await repository.stats()).total).toBe(500);
      const version = await repository.dataVersion();
      const failing = await loader.begin('replace', { source: 'kaggle' });
      await failing.stage([
        animeRecord({ source: 'kaggle', sourceId: 'only-one', title: 'Only', type: 'TV' }),
      ]);
      await failing.abort();
      expect((await repository.stats()).total).toBe(500);
      expect(await repository.dataVersion()).toBe(version);
      await pool.close();
    }, 120_000);
  });

  const PROBE_CLEANUP =
    "DELETE ag FROM anime_genres ag JOIN animes a ON a.id = ag.anime_id WHERE a.source_id LIKE N'merge-probe-%'; DELETE FROM animes WHERE source_id LIKE N'merge-probe-%'";

  describe('first deploy (issue 15): migration lock, schema check, least-privilege users, the merge procedure', () => {
    const probe = (version: number) => ({
      version,
      name: `race-probe-${version}`,
      batches: [`CREATE TABLE migration_probe_${version} (a INT NOT NULL)`],
    });
    const cleanUp = async (version: number) => {
      const pool = await openPool({ connectionString });
      await pool
        .request()
        .batch(
          `DROP TABLE IF EXISTS migration_probe_${version}; DELETE FROM schema_migrations WHERE version = ${version}`,
        );
      await pool.close();
    };

    it('three migrators at once: the lock lets exactly one apply a new migration, none fails', async () => {
      await cleanUp(9001);
      const pools = await Promise.all([1, 2, 3].map(() => openPool({ connectionString })));
      try {
        const migrations = [...TSQL_MIGRATIONS, probe(9001)];
        const applied = await Promise.all(pools.map((pool) => migrate(pool, { migrations })));
        expect(applied.map((a) => a.includes(9001)).filter(Boolean)).toHaveLength(1);
        const { recordset } = await pools[0]!
          .request()
          .query('SELECT COUNT(*) AS n FROM schema_migrations WHERE version = 9001');
        expect(recordset[0].n).toBe(1);
      } finally {
        await Promise.all(pools.map((pool) => pool.close()));
        await cleanUp(9001);
      }
    }, 120_000);

    it('check mode refuses a schema with a pending migration, naming it, and accepts the current one', async () => {
      const pool = await openPool({ connectionString });
      try {
        await migrate(pool);
        await expect(assertSchemaCurrent(pool)).resolves.toBeUndefined();
        const error = await assertSchemaCurrent(pool, [...TSQL_MIGRATIONS, probe(9002)]).catch((e) => e);
        expect(error).toBeInstanceOf(SchemaNotCurrentError);
        expect(error.message).toContain('migration(s) 9002 are pending');
      } finally {
        await pool.close();
      }
    });

    it('the app user reads and writes its tables and nothing more; the ingest user truncates staging and runs the merge', async () => {
      const pool = await openPool({ connectionString });
      const as = (user: string, text: string) =>
        pool
          .request()
          .batch(
            `EXECUTE AS USER = '${user}'; BEGIN TRY ${text}; END TRY BEGIN CATCH REVERT; THROW; END CATCH; REVERT;`,
          );
      try {
        await migrate(pool);
        for (const user of ['grant_probe_app', 'grant_probe_ingest'])
          await pool.request().batch(`IF USER_ID('${user}') IS NULL CREATE USER [${user}] WITHOUT LOGIN`);
        for (const batch of [
          ...grantBatches('app', 'grant_probe_app'),
          ...grantBatches('ingest', 'grant_probe_ingest'),
        ])
          await pool.request().batch(batch);
        await as('grant_probe_app', 'SELECT TOP 1 id FROM animes');
        await as('grant_probe_app', 'UPDATE data_version SET version = version WHERE id = 1');
        await expect(as('grant_probe_app', 'CREATE TABLE grant_probe_t (a INT)')).rejects.toThrow(
          /permission/i,
        );
        await expect(
          as('grant_probe_app', "EXEC merge_staged_animes @profile = N'kaggle-animes'"),
        ).rejects.toThrow(/permission/i);
        await as('grant_probe_ingest', 'TRUNCATE TABLE dbo.animes_staging');
        await as(
          'grant_probe_ingest',
          "EXEC dbo.merge_staged_animes @profile = N'kaggle-animes', @mode = N'upsert'",
        );
        await expect(as('grant_probe_ingest', 'SELECT TOP 1 uid FROM users')).rejects.toThrow(/permission/i);
      } finally {
        await pool
          .request()
          .batch(
            'DROP USER IF EXISTS grant_probe_app; DROP USER IF EXISTS grant_probe_ingest; DROP TABLE IF EXISTS grant_probe_t;',
          );
        await pool.close();
      }
    }, 60_000);

    it('the merge saves case-only changes, rejects an over-long genre per row, and refuses an empty replace', async () => {
      const pool = await openPool({ connectionString });
      const stage = (rows: string[][]) =>
        pool
          .request()
          .batch(
            `TRUNCATE TABLE animes_staging; INSERT INTO animes_staging (source_id, title, type, year, score, episodes, genres) VALUES ${rows
              .map((r) => `(${r.map((v) => `N'${v.replace(/'/g, "''")}'`).join(', ')})`)
              .join(', ')}`,
          );
      const merge = (mode: string) =>
        pool.request().batch(`EXEC merge_staged_animes @profile = N'kaggle-animes', @mode = N'${mode}'`);
      const title = async (sourceId: string) =>
        (await pool.request().input('s', sourceId).query('SELECT title FROM animes WHERE source_id = @s'))
          .recordset[0]?.title;
      try {
        await migrate(pool);
        await pool.request().batch(PROBE_CLEANUP);
        await stage([
          ['merge-probe-1', 'Fate/Stay Night', 'TV', '2006', '7.5', '24', "['Action']"],
          ['merge-probe-2', 'Long genre', 'TV', '2006', '7.5', '24', `['${'x'.repeat(500)}']`],
        ]);
        await merge('upsert');
        expect(await title('merge-probe-1')).toBe('Fate/Stay Night');
        expect(await title('merge-probe-2')).toBeUndefined();
        const rejects = await pool
          .request()
          .query(
            "SELECT TOP 1 reason FROM ingest_rejects WHERE source_id = N'merge-probe-2' ORDER BY id DESC",
          );
        expect(rejects.recordset[0].reason).toMatch(/genres has an empty item or one longer than/);
        await stage([['merge-probe-1', 'Fate/stay night', 'TV', '2006', '7.5', '24', "['Action']"]]);
        await merge('upsert');
        expect(await title('merge-probe-1')).toBe('Fate/stay night');
        await pool.request().batch('TRUNCATE TABLE animes_staging');
        await expect(merge('replace')).rejects.toThrow(/would empty the catalogue/);
        expect(await title('merge-probe-1')).toBe('Fate/stay night');
      } finally {
        await pool.request().batch(`${PROBE_CLEANUP}; TRUNCATE TABLE animes_staging`);
        await pool.close();
      }
    }, 60_000);
  });
});
