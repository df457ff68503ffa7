import { runTs } from '../support/cli';

/**
 * The CLI the deploy pipeline runs as the SQL admin. Its SQL runs against SQL Server only in the
 * GitHub job (the contract suite applies the same grants); here: the arguments, and that a bad
 * name is refused before any connection is attempted.
 */
const OBJECT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
// A server nobody listens on: reaching the connection would fail differently (and slowly).
const NOWHERE = { SQL_SERVER: '127.0.0.1', SQL_DATABASE: 'anime', MSSQL_AUTHENTICATION: 'sql-login' };

describe('npm run db:bootstrap', () => {
  it('--help explains what it does and exits 0', () => {
    const { code, stdout } = runTs('cli/db-bootstrap.ts', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('applies pending migrations');
    expect(stdout).toContain('--ingest NAME --ingest-object-id GUID');
  });

  it('exits 2 with the usage when an identity is half given', () => {
    expect(runTs('cli/db-bootstrap.ts', ['--app', 'app-x'], NOWHERE).code).toBe(2);
    const halfIngest = runTs(
      'cli/db-bootstrap.ts',
      ['--app', 'app-x', '--app-object-id', OBJECT_ID, '--ingest', 'adf-x'],
      NOWHERE,
    );
    expect(halfIngest.code).toBe(2);
    expect(halfIngest.stderr).toContain('usage: npm run db:bootstrap');
  });

  it('refuses a name that could break out of the DDL, naming it, before connecting', () => {
    const { code, stderr } = runTs(
      'cli/db-bootstrap.ts',
      ['--app', 'x]; DROP USER y;--', '--app-object-id', OBJECT_ID],
      NOWHERE,
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('database user name "x]; DROP USER y;--" is not a resource name');
  });
});
