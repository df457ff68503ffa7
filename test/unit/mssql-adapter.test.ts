import { parseConnectionString, poolConfig } from '../../platform/adapters/mssql/connection';
import {
  backoffDelay,
  isDeadlock,
  isTransient,
  TRANSIENT_ERROR_NUMBERS,
  withRetry,
} from '../../platform/adapters/mssql/retry';
import { isoTimestamp, isUniqueViolation } from '../../platform/adapters/mssql/rows';
import { animeFromRow } from '../../platform/adapters/sql/anime-row';
import { animeRecord } from '../support/fixtures';

/** Shaped like tedious/mssql errors: RequestError carries `number`, ConnectionError a `code`. */
const requestError = (number: number) =>
  Object.assign(new Error(`error ${number}`), { name: 'RequestError', number });
const connectionError = (code: string) => Object.assign(new Error(code), { name: 'ConnectionError', code });
const wrapped = (inner: Error) => Object.assign(new Error('wrapped'), { originalError: inner });

describe('transient fault detection', () => {
  it.each([...TRANSIENT_ERROR_NUMBERS])('error %d is transient', (n) => {
    expect(isTransient(requestError(n))).toBe(true);
    expect(isTransient(wrapped(requestError(n)))).toBe(true);
  });

  it.each(['ECONNRESET', 'ESOCKET', 'ETIMEOUT', 'ECONNCLOSED'])('%s is transient', (code) => {
    expect(isTransient(connectionError(code))).toBe(true);
  });

  it.each([2627, 2601, 102, 547, 8152])('error %d (a real answer) is not', (n) => {
    expect(isTransient(requestError(n))).toBe(false);
  });
});

describe('retry policy', () => {
  const fast = { sleep: async () => undefined, random: () => 0.5 };

  it('retries transient failures, then succeeds', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      if (calls < 3) throw requestError(40613);
      return 'ok';
    }, fast);
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw requestError(40501);
        },
        { ...fast, maxAttempts: 4 },
      ),
    ).rejects.toMatchObject({ number: 40501 });
    expect(calls).toBe(4);
  });

  it('with retryable: isDeadlock, retries a deadlock victim (wrapped too) and nothing else', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw wrapped(requestError(1205));
        return 'merged';
      },
      { ...fast, retryable: isDeadlock, maxAttempts: 3 },
    );
    expect([result, calls]).toEqual(['merged', 3]);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw requestError(40613);
        },
        { ...fast, retryable: isDeadlock },
      ),
    ).rejects.toMatchObject({ number: 40613 });
    expect(calls).toBe(1);
  });

  it('never retries a non-transient error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw requestError(2627);
      }, fast),
    ).rejects.toMatchObject({ number: 2627 });
    expect(calls).toBe(1);
  });

  it('stops when the time budget would be exceeded', async () => {
    let clock = 0;
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          clock += 400;
          throw connectionError('ESOCKET');
        },
        {
          maxAttempts: 100,
          budgetMs: 1000,
          random: () => 0.99,
          now: () => clock,
          sleep: async (ms) => {
            clock += ms;
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'ESOCKET' });
    expect(calls).toBeLessThan(5);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, { random: () => 0.999 })).toBeLessThan(100);
    expect(backoffDelay(3, { random: () => 0.999 })).toBe(799);
    expect(backoffDelay(20, { random: () => 0.999, maxDelayMs: 5000 })).toBe(4995);
    expect(backoffDelay(5, { random: () => 0 })).toBe(0);
  });
});

describe('row mapping', () => {
  it('turns tedious values into the domain record', () => {
    const created = new Date('2026-01-02T03:04:05.678Z');
    expect(
      animeFromRow(
        {
          id: 7,
          source: 'kaggle',
          source_id: 'k-7',
          title: 'Title',
          type: 'OVA',
          year: null,
          score: '8.25' as unknown as number,
          episodes: null,
          genres_json: '["Action","Sci-Fi"]',
          original_title: null,
          version: 3,
          created_at: created,
          updated_at: created,
        },
        isoTimestamp,
      ),
    ).toEqual({
      ...animeRecord({
        source: 'kaggle',
        sourceId: 'k-7',
        title: 'Title',
        type: 'OVA',
        score: 8.25,
        genres: ['Action', 'Sci-Fi'],
      }),
      id: 7,
      version: 3,
      createdAt: '2026-01-02T03:04:05.678Z',
      updatedAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it('recognizes duplicate keys, also wrapped', () => {
    expect(isUniqueViolation(requestError(2627))).toBe(true);
    expect(isUniqueViolation(wrapped(requestError(2601)))).toBe(true);
    expect(isUniqueViolation(requestError(547))).toBe(false);
  });
});

describe('connection settings', () => {
  it('parses ADO connection strings, with braces and ports', () => {
    expect(
      parseConnectionString(
        'Server=tcp:sql-x.database.windows.net,1433;Initial Catalog=anime;User ID=app;Password={p;w}}d};Encrypt=yes',
      ),
    ).toEqual({
      server: 'sql-x.database.windows.net',
      port: '1433',
      database: 'anime',
      user: 'app',
      password: 'p;w}d',
    });
  });

  it('always encrypts; SQL login with credentials, Entra ID (managed identity) without', () => {
    const login = poolConfig({
      connectionString: 'Server=localhost,14330;Database=anime;User Id=sa;Password=x',
    });
    expect(login).toMatchObject({
      server: 'localhost',
      port: 14330,
      user: 'sa',
      options: { encrypt: true, trustServerCertificate: true },
    });
    const entra = poolConfig({ server: 'sql-x.database.windows.net', database: 'anime' });
    expect(entra.authentication).toEqual({ type: 'azure-active-directory-default', options: {} });
    expect(entra.options).toMatchObject({ encrypt: true, trustServerCertificate: false });
    expect(entra.pool).toMatchObject({ max: 10, min: 0 });
    expect(() => poolConfig({ server: 's' })).toThrow(/server and a database/);
    expect(() => poolConfig({ server: 's', database: 'd', authentication: 'sql-login' })).toThrow(
      /user and a password/,
    );
  });
});
