import { parseArgs } from 'node:util';
import { DEFAULT_INGEST_PROFILE, resolveProfile } from '../catalogue/profiles';
import { mssqlSettings } from '../composition/mssql-store';
import { openPool } from '../platform/adapters/mssql/connection';
import { databaseUserBatches } from '../platform/adapters/mssql/database-users';
import { connectWhenFirewallAllows } from '../platform/adapters/mssql/firewall-wait';
import { migrate } from '../platform/adapters/mssql/migrations';
import { loadConfig } from '../platform/config';

const HELP = `usage: npm run db:bootstrap -- --app NAME --app-object-id GUID [--ingest NAME --ingest-object-id GUID]

Prepares an Azure SQL database for the deployed app, as the server's Entra admin (the deploy
pipeline runs it with its own identity's token; no human runs SQL):
  1. applies pending migrations and recreates the merge procedure, under the migration lock;
  2. creates a contained user for the app's managed identity, with data rights on its tables only;
  3. with --ingest, one for Data Factory's identity: the staging table and EXECUTE on the merge.
Idempotent: running it again changes nothing. A connection the SQL firewall refuses (error 40615:
the rule for this runner is not applied yet) is retried for up to six minutes, saying so.

Connects with SQL_SERVER and SQL_DATABASE (or MSSQL_CONNECTION_STRING) and MSSQL_AUTHENTICATION;
INGEST_PROFILE picks the profile the merge procedure is generated for.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: 'string' },
      'app-object-id': { type: 'string' },
      ingest: { type: 'string' },
      'ingest-object-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const app =
    values.app && values['app-object-id']
      ? { name: values.app, objectId: values['app-object-id'] }
      : undefined;
  const ingest =
    values.ingest && values['ingest-object-id']
      ? { name: values.ingest, objectId: values['ingest-object-id'] }
      : undefined;
  if (!app || Boolean(values.ingest) !== Boolean(ingest)) {
    console.error(HELP);
    process.exit(2);
  }
  const batches = databaseUserBatches(app, ingest);
  const config = loadConfig();
  // The release creates this runner's firewall rule just before: wait (bounded) for it to apply.
  const pool = await connectWhenFirewallAllows(() => openPool(mssqlSettings(config)));
  try {
    const applied = await migrate(pool, {
      profile: resolveProfile(config.INGEST_PROFILE ?? DEFAULT_INGEST_PROFILE.name),
    });
    console.log(applied.length ? `applied migration(s) ${applied.join(', ')}` : 'schema already current');
    for (const batch of batches) await pool.request().batch(batch);
    console.log(
      `database users ready: ${[app, ingest]
        .filter(Boolean)
        .map((p) => p!.name)
        .join(', ')}`,
    );
  } finally {
    await pool.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
