import { randomBytes } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { composeHttpService } from '../../api/service';
import { openAccounts } from '../../composition/accounts';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { MemoryRateLimiter } from '../../platform/adapters/memory/memory-rate-limiter';
import { loadConfig } from '../../platform/config';
import { fixtureRecords } from '../support/fixtures';
import { ADMIN_BOOTSTRAP_TOKEN, ADMIN_EMAIL, createTestApp, signedUpUser } from '../support/test-app';

const newAnime = { ...fixtureRecords(1)[0]!, sourceId: 'made-by-the-first-admin' };

describe('security: admins come from a one-time bootstrap token, never from sign-up', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.store.close());

  const claim = (auth: { Authorization: string }, token: string) =>
    request(ctx.server).post('/auth/admin-bootstrap').set(auth).send({ token });
  const role = async (auth: { Authorization: string }) =>
    (await request(ctx.server).get('/auth/me').set(auth)).body.role;

  it('signs up the old bootstrap email, in any letter case, as a plain user', async () => {
    const auth = await signedUpUser(ctx.server, ADMIN_EMAIL.toUpperCase());
    expect(await role(auth)).toBe('user');
    await request(ctx.server).post('/animes').set(auth).send(newAnime).expect(403);
  });

  it('refuses a wrong token (403) and then makes the first claimant with the right one the admin', async () => {
    const first = await signedUpUser(ctx.server, 'first@example.test');
    const refused = await claim(first, randomBytes(32).toString('base64url')).expect(403);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(await role(first)).toBe('user');

    const claimed = await claim(first, ADMIN_BOOTSTRAP_TOKEN).expect(200);
    expect(claimed.body).toMatchObject({ email: 'first@example.test', role: 'admin' });
    await request(ctx.server).post('/animes').set(first).send(newAnime).expect(201);

    // Spent: the same token makes nobody else an admin, even after the first admin leaves.
    const second = await signedUpUser(ctx.server, 'second@example.test');
    expect((await claim(second, ADMIN_BOOTSTRAP_TOKEN).expect(409)).body.detail).toMatch(
      /admin already exists/,
    );
    await ctx.accounts.grantRole('second@example.test', 'admin');
    await request(ctx.server).delete('/auth/me').set(first).expect(204);
    const third = await signedUpUser(ctx.server, 'first@example.test');
    await claim(third, ADMIN_BOOTSTRAP_TOKEN).expect(409);
    expect(await role(third)).toBe('user');
  });

  it('needs a signed-in caller', async () => {
    await request(ctx.server)
      .post('/auth/admin-bootstrap')
      .send({ token: ADMIN_BOOTSTRAP_TOKEN })
      .expect(401);
  });
});

describe('security: the bootstrap token as configured', () => {
  it('refuses ADMIN_EMAILS at start, saying what replaced it', () => {
    expect(() => loadConfig({ ADMIN_EMAILS: 'boss@example.test' })).toThrow(
      /ADMIN_EMAILS was removed.*ADMIN_BOOTSTRAP_TOKEN or `npm run admin:grant`/,
    );
  });

  it('holds the token to the secret rules: real entropy, no unresolved Key Vault reference', () => {
    const token = randomBytes(32).toString('base64url');
    expect(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: token }).ADMIN_BOOTSTRAP_TOKEN).toBe(token);
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'a'.repeat(40) })).toThrow(
      /ADMIN_BOOTSTRAP_TOKEN looks too predictable/,
    );
    expect(() =>
      loadConfig({
        ADMIN_BOOTSTRAP_TOKEN: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/t)',
      }),
    ).toThrow(/ADMIN_BOOTSTRAP_TOKEN is an unresolved Key Vault reference/);
  });

  /** main's wiring over a fresh store; what it printed to the terminal and to the log. */
  async function startLikeMain(env: NodeJS.ProcessEnv) {
    const config = loadConfig({ JWT_SECRET: randomBytes(32).toString('base64'), ...env });
    const store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
    const logLines: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
    let terminal = '';
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      terminal += String(chunk);
      return true;
    });
    const accounts = openAccounts(config, store, log, { generateBootstrapToken: true });
    write.mockRestore();
    const { handler } = composeHttpService({
      repository: store.repository,
      accounts,
      rateLimiter: new MemoryRateLimiter(),
      logger: log,
    });
    return { server: handler, store, terminal, logLines };
  }

  it('outside production without a token, prints a fresh one to the terminal (not the log) that works', async () => {
    const { server, store, terminal, logLines } = await startLikeMain({ NODE_ENV: 'development' });
    const token = /"token":"([A-Za-z0-9_-]{43})"/.exec(terminal)?.[1];
    expect(token).toBeDefined();
    expect(logLines.join('')).not.toContain(token!);
    const auth = await signedUpUser(server, 'laptop@example.test');
    await request(server).post('/auth/admin-bootstrap').set(auth).send({ token }).expect(200);
    await store.close();
  });

  it('in production without a token, prints nothing and refuses every claim (admin:grant only)', async () => {
    const { server, store, terminal } = await startLikeMain({ NODE_ENV: 'production' });
    expect(terminal).toBe('');
    const auth = await signedUpUser(server, 'prod@example.test');
    const refused = await request(server)
      .post('/auth/admin-bootstrap')
      .set(auth)
      .send({ token: 'x'.repeat(43) })
      .expect(403);
    expect(refused.body.detail).toMatch(/no admin bootstrap token is configured/);
    await store.close();
  });
});
