import type sql from 'mssql';
import type { MappingProfile } from '../../../../catalogue/definition';
import { DEFAULT_INGEST_PROFILE } from '../../../../catalogue/profiles';
import { mergeProcedure } from '../merge-procedure';
import { migration as catalogue } from './001-catalogue';
import { migration as dataVersion } from './002-data-version';
import { migration as accountsAndOutbox } from './003-accounts-and-outbox';
import { migration as dataFactoryStaging } from './004-data-factory-staging';
import type { TsqlMigration } from './migration';

export type { TsqlMigration } from './migration';

export const TSQL_MIGRATIONS: readonly TsqlMigration[] = [
  catalogue,
  dataVersion,
  accountsAndOutbox,
  dataFactoryStaging,
];

/**
 * Objects derived from the live definition and configuration, recreated on every migrate (after
 * the versioned steps): the Data Factory merge procedure, for the configured ingest profile.
 */
export function repeatableBatches(profile: MappingProfile): string[] {
  return [mergeProcedure(profile)];
}

/** Applies pending migrations in order, each in its own transaction. Returns the versions applied. */
export async function migrate(
  pool: sql.ConnectionPool,
  options: { profile?: MappingProfile; migrations?: readonly TsqlMigration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? TSQL_MIGRATIONS;
  await pool.request().batch(`IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
  CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(100) NOT NULL, applied_at DATETIME2(3) NOT NULL)`);
  const applied = new Set(
    (await pool.request().query<{ version: number }>('SELECT version FROM schema_migrations')).recordset.map(
      (r) => r.version,
    ),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const transaction = pool.transaction();
    await transaction.begin();
    try {
      for (const batch of migration.batches) await transaction.request().batch(batch);
      await transaction
        .request()
        .input('version', migration.version)
        .input('name', migration.name)
        .query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, SYSUTCDATETIME())',
        );
      await transaction.commit();
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    }
    done.push(migration.version);
  }
  for (const batch of repeatableBatches(options.profile ?? DEFAULT_INGEST_PROFILE))
    await pool.request().batch(batch);
  return done;
}
