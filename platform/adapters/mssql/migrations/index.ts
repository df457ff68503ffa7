import type sql from 'mssql';
import type { MappingProfile } from '../../../../catalogue/definition';
import { DEFAULT_INGEST_PROFILE } from '../../../../catalogue/profiles';
import { mergeProcedure } from '../merge-procedure';
import { migration as catalogue } from './001-catalogue';
import { migration as dataVersion } from './002-data-version';
import { migration as accountsAndOutbox } from './003-accounts-and-outbox';
import { migration as dataFactoryStaging } from './004-data-factory-staging';
import { migration as sourceNamespaces } from './005-source-namespaces';
import { migration as sortAndSearchIndexes } from './006-sort-and-search-indexes';
import { migration as sessions } from './007-sessions';
import { migration as addOriginalTitle } from './008-add-original-title';
import { migration as searchOriginalTitles } from './009-search-original-titles';
import { migration as typeSortIndexes } from './010-type-sort-indexes';
import type { TsqlMigration } from './migration';

export type { TsqlMigration } from './migration';

export const TSQL_MIGRATIONS: readonly TsqlMigration[] = [
  catalogue,
  dataVersion,
  accountsAndOutbox,
  dataFactoryStaging,
  sourceNamespaces,
  sortAndSearchIndexes,
  sessions,
  addOriginalTitle,
  searchOriginalTitles,
  typeSortIndexes,
];

/**
 * Objects derived from the live definition and configuration, recreated on every migrate (after
 * the versioned steps): the Data Factory merge procedure, for the configured ingest profile.
 */
export function repeatableBatches(profile: MappingProfile): string[] {
  return [mergeProcedure(profile)];
}

const CREATE_LEDGER = `IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
  CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(100) NOT NULL, applied_at DATETIME2(3) NOT NULL)`;

/** Serializes migrators: two instances (or a pipeline and an instance) never migrate at once. */
export const MIGRATION_LOCK = `DECLARE @granted INT;
EXEC @granted = sp_getapplock @Resource = N'anime-platform:migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 120000;
IF @granted < 0 THROW 50010, N'another migration holds the migration lock (waited 120 s)', 1;`;

async function appliedVersions(request: () => sql.Request): Promise<Set<number>> {
  const ledger = await request().query<{ present: number }>(
    "SELECT CASE WHEN OBJECT_ID(N'schema_migrations', N'U') IS NULL THEN 0 ELSE 1 END AS present",
  );
  if (!ledger.recordset[0]?.present) return new Set();
  const rows = await request().query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.recordset.map((r) => r.version));
}

/**
 * Applies pending migrations in order, then the repeatable objects, all in one transaction that
 * first takes the migration lock: a concurrent migrator waits, then finds nothing left to do, and
 * a failure anywhere leaves the schema as it was. Returns the versions applied.
 */
export async function migrate(
  pool: sql.ConnectionPool,
  options: { profile?: MappingProfile; migrations?: readonly TsqlMigration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? TSQL_MIGRATIONS;
  const transaction = pool.transaction();
  await transaction.begin();
  const request = () => transaction.request();
  try {
    await request().batch(MIGRATION_LOCK);
    await request().batch(CREATE_LEDGER);
    const applied = await appliedVersions(request);
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const batch of migration.batches) await request().batch(batch);
      await request()
        .input('version', migration.version)
        .input('name', migration.name)
        .query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, SYSUTCDATETIME())',
        );
      done.push(migration.version);
    }
    for (const batch of repeatableBatches(options.profile ?? DEFAULT_INGEST_PROFILE))
      await request().batch(batch);
    await transaction.commit();
    return done;
  } catch (error) {
    await transaction.rollback().catch(() => undefined);
    throw error;
  }
}

export class SchemaNotCurrentError extends Error {
  constructor(readonly pending: readonly number[]) {
    super(
      `the database schema is behind this build: migration(s) ${pending.join(', ')} are pending. ` +
        'With DB_MIGRATIONS=check this process does not migrate; the deploy pipeline does (npm run db:bootstrap), ' +
        'or set DB_MIGRATIONS=startup where the database user may run DDL',
    );
    this.name = 'SchemaNotCurrentError';
  }
}

/**
 * For an app whose database user has no DDL rights: checks that every migration this build knows
 * has been applied, and throws SchemaNotCurrentError naming the pending ones. A newer schema (a
 * later build's migrations) is accepted, so a rolling deploy keeps the old instances running.
 */
export async function assertSchemaCurrent(
  pool: sql.ConnectionPool,
  migrations: readonly TsqlMigration[] = TSQL_MIGRATIONS,
): Promise<void> {
  const applied = await appliedVersions(() => pool.request());
  const pending = migrations.filter((m) => !applied.has(m.version)).map((m) => m.version);
  if (pending.length) throw new SchemaNotCurrentError(pending);
}
