import { MERGE_PROCEDURE, STAGING_TABLE } from '../../../catalogue/data-factory';

/** An Entra principal (a managed identity) that gets a contained database user. */
export interface DatabasePrincipal {
  /** The user's name: a managed identity's is its resource's name. */
  readonly name: string;
  /** The principal's object id; naming it skips the directory lookup by display name. */
  readonly objectId: string;
}

/** What the app's user may do, table by table: data only, no DDL, no EXECUTE at all. */
const APP_GRANTS: Readonly<Record<string, readonly string[]>> = {
  animes: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  genres: ['SELECT', 'INSERT', 'DELETE'],
  anime_genres: ['SELECT', 'INSERT', 'DELETE'],
  // Searched by `q`; the trigger on animes keeps it in step through ownership chaining.
  anime_title_trigrams: ['SELECT'],
  data_version: ['SELECT', 'UPDATE'],
  cache_outbox: ['SELECT', 'INSERT', 'DELETE'],
  users: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  local_credentials: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  sessions: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // The app checks the schema version at start (DB_MIGRATIONS=check).
  schema_migrations: ['SELECT'],
};

/**
 * Data Factory lands rows in the staging table (TRUNCATE before the copy needs ALTER on it) and
 * runs the merge procedure, which reaches the live tables through ownership chaining.
 */
const INGEST_GRANTS: Readonly<Record<string, readonly string[]>> = {
  [STAGING_TABLE]: ['SELECT', 'INSERT', 'ALTER'],
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkedName(name: string): string {
  // DDL takes no parameters: names and ids are validated to shapes that cannot break out.
  if (!NAME.test(name)) throw new Error(`database user name "${name}" is not a resource name`);
  return name;
}

function checked(principal: DatabasePrincipal): DatabasePrincipal {
  checkedName(principal.name);
  if (!GUID.test(principal.objectId))
    throw new Error(`object id "${principal.objectId}" of ${principal.name} is not a GUID`);
  return principal;
}

function userBatch({ name, objectId }: DatabasePrincipal): string {
  return `IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'${name}')
  CREATE USER [${name}] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${objectId}'`;
}

/** The grants of one role (APP or INGEST) to one existing database user. */
export function grantBatches(role: 'app' | 'ingest', name: string): string[] {
  const tables = role === 'app' ? APP_GRANTS : INGEST_GRANTS;
  const grants = Object.entries(tables).map(
    ([table, permissions]) => `GRANT ${permissions.join(', ')} ON dbo.${table} TO [${checkedName(name)}]`,
  );
  return role === 'app'
    ? grants
    : [...grants, `GRANT EXECUTE ON dbo.${MERGE_PROCEDURE} TO [${checkedName(name)}]`];
}

/**
 * The database bootstrap, as idempotent batches: a contained user per identity, then exactly the
 * grants it needs. Running it again changes nothing; a grant this list no longer holds is not
 * revoked (do that in a migration).
 */
export function databaseUserBatches(app: DatabasePrincipal, ingest?: DatabasePrincipal): string[] {
  const batches = [userBatch(checked(app)), ...grantBatches('app', app.name)];
  if (ingest) batches.push(userBatch(checked(ingest)), ...grantBatches('ingest', ingest.name));
  return batches;
}
