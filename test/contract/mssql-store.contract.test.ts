import { openPool } from '../../api/adapters/mssql/connection';
import { migrate } from '../../api/adapters/mssql/migrations';
import { MssqlAnimeRepository } from '../../api/adapters/mssql/mssql-anime-repository';
import { MssqlCatalogueLoader } from '../../api/adapters/mssql/mssql-catalogue-loader';
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
      .batch('DELETE FROM anime_genres; DELETE FROM animes; DELETE FROM genres; DELETE FROM cache_outbox;');
    return {
      repository: new MssqlAnimeRepository(pool),
      loader: new MssqlCatalogueLoader(pool),
      dispose: () => pool.close(),
    };
  });
});
