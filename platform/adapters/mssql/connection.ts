import sql from 'mssql';

export interface MssqlSettings {
  /** ADO-style connection string; wins over the separate variables. */
  readonly connectionString?: string;
  readonly server?: string;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** `sql-login` with user/password, or Entra ID through the managed identity. */
  readonly authentication?: 'sql-login' | 'azure-active-directory-default';
  /** @default 10 */
  readonly poolMax?: number;
}

const KEYS: Record<string, 'server' | 'database' | 'user' | 'password' | 'port'> = {
  server: 'server',
  'data source': 'server',
  address: 'server',
  database: 'database',
  'initial catalog': 'database',
  'user id': 'user',
  uid: 'user',
  user: 'user',
  password: 'password',
  pwd: 'password',
  port: 'port',
};

/** Parses `Server=tcp:host,1433;Database=db;User Id=u;Password=p` (values may be {quoted}). */
export function parseConnectionString(
  text: string,
): Partial<Record<'server' | 'database' | 'user' | 'password' | 'port', string>> {
  const out: Partial<Record<'server' | 'database' | 'user' | 'password' | 'port', string>> = {};
  for (const match of text.matchAll(/\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)/g)) {
    const key = KEYS[match[1]!.toLowerCase()];
    let value = match[2]!.trim();
    if (value.startsWith('{')) value = value.slice(1, -1).replace(/\}\}/g, '}');
    if (!key) continue;
    if (key === 'server') {
      const [host, port] = value.replace(/^tcp:/i, '').split(',');
      out.server = host!.trim();
      if (port) out.port = port.trim();
    } else out[key] = value;
  }
  return out;
}

/** mssql pool configuration: TLS always, sane pool limits, Entra ID or SQL login. */
export function poolConfig(settings: MssqlSettings): sql.config {
  const parsed = settings.connectionString ? parseConnectionString(settings.connectionString) : {};
  const server = parsed.server ?? settings.server;
  const database = parsed.database ?? settings.database;
  if (!server || !database) throw new Error('SQL Server needs a server and a database');
  const user = parsed.user ?? settings.user;
  const password = parsed.password ?? settings.password;
  const authentication = settings.authentication ?? (user ? 'sql-login' : 'azure-active-directory-default');
  const base: sql.config = {
    server,
    database,
    port: parsed.port ? Number(parsed.port) : 1433,
    options: {
      encrypt: true,
      // Local SQL Server containers use a self-signed certificate; Azure presents a real one.
      trustServerCertificate: /^(localhost|127\.0\.0\.1)$/.test(server),
      enableArithAbort: true,
    },
    pool: { max: settings.poolMax ?? 10, min: 0, idleTimeoutMillis: 30_000 },
    connectionTimeout: 15_000,
    requestTimeout: 30_000,
  };
  if (authentication === 'sql-login') {
    if (!user || !password) throw new Error('sql-login authentication needs a user and a password');
    return { ...base, user, password };
  }
  return { ...base, authentication: { type: 'azure-active-directory-default', options: {} } };
}

export async function openPool(settings: MssqlSettings): Promise<sql.ConnectionPool> {
  return new sql.ConnectionPool(poolConfig(settings)).connect();
}
