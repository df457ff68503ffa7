import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPool } from '../../api/adapters/mssql/connection';
import { migrate } from '../../api/adapters/mssql/migrations';
import { MssqlCatalogueLoader } from '../../api/adapters/mssql/mssql-catalogue-loader';
import { MssqlExecutor } from '../../api/adapters/mssql/mssql-executor';
import { MssqlUserStore } from '../../api/adapters/mssql/mssql-user-store';
import { storedColumn } from '../../api/adapters/sql/anime-row';
import { SqlAnimeRepository } from '../../api/adapters/sql/sql-anime-repository';
import { SqlInvalidationOutbox } from '../../api/adapters/sql/sql-invalidation-outbox';
import { ANIME_COLUMNS } from '../../catalogue/definition';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { writeDataset } from '../../etl/generate';
import { loadCsv } from '../../etl/load-csv';
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

  it('migrates a database to exactly the definition, column for column', async () => {
    const pool = await openPool({ connectionString });
    try {
      await migrate(pool);
      const { recordset } = await pool
        .request()
        .query<{ name: string; nullable: string }>(
          "SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'animes' ORDER BY ORDINAL_POSITION",
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
      const failing = await loader.begin('replace');
      await failing.stage([
        {
          sourceId: 'only-one',
          title: 'Only',
          type: 'TV',
          year: null,
          score: null,
          episodes: null,
          genres: [],
        },
      ]);
      await failing.abort();
      expect((await repository.stats()).total).toBe(500);
      expect(await repository.dataVersion()).toBe(version);
      await pool.close();
    }, 120_000);
  });
});
