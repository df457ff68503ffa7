import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import type { AuthRateLimits } from '../../api/http/throttle';
import { openApi } from '../../api/service';
import { type CatalogueStore, openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { type Config, loadConfig } from '../../platform/config';
import type { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import type { AnimeInput } from '../../platform/core/domain/anime';
import type { IdentityProvider } from '../../platform/core/ports/identity-provider';
import type { RateLimiter } from '../../platform/core/ports/rate-limiter';
import type { Observability } from '../../platform/observability/observability';
import { fixtureRecords, loadRecords } from './fixtures';

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'long enough password';
/** What an operator would put in ADMIN_BOOTSTRAP_TOKEN; test apps all take this one. */
export const ADMIN_BOOTSTRAP_TOKEN = randomBytes(32).toString('base64url');
export const JWT_OPTIONS = { issuer: 'anime-platform', audience: 'anime-platform-api' } as const;

export interface TestAppOptions {
  records?: AnimeInput[];
  cache?: ReadThroughCache;
  /** @default the local provider over the test store */
  identity?: (store: CatalogueStore) => IdentityProvider;
  rateLimiter?: RateLimiter;
  authRateLimits?: AuthRateLimits;
  logger?: Logger;
  /** Reuse a store (two app instances over one database). */
  store?: CatalogueStore;
  /** Instruments the repository and turns on /metrics, as main does. */
  observabilityFor?: Observability;
  /** @default 0, as in production without a proxy */
  trustedProxyHops?: number;
  hsts?: boolean;
  exposeCacheHeaders?: boolean;
  /** @default true, as in production */
  hitLane?: boolean;
  /** BUILD_SHA, as the image sets it. @default unset ('dev') */
  build?: string;
  /** More configuration, as environment variables. */
  env?: Record<string, string>;
}

/** The configuration of a test app: the embedded defaults, no Redis, a fresh random JWT secret. */
function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_PATH: ':memory:',
    SEED_ON_EMPTY: 'false',
    CACHE_ENABLED: 'false',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    JWT_ISSUER: JWT_OPTIONS.issuer,
    JWT_AUDIENCE: JWT_OPTIONS.audience,
    ADMIN_BOOTSTRAP_TOKEN,
    // Suites that fire thousands of distinct queries would hit it; its own suite turns it on.
    UNCACHED_READS_PER_CLIENT: '0',
    // Suites fire bursts from one address; the share has its own test.
    REQUESTS_IN_FLIGHT_PER_CLIENT: '0',
    ...env,
  });
}

/**
 * A real app over a real (in-memory SQLite) store, loaded with the fixture catalogue, wired by
 * the production openApi: only what the options name is supplied by the test.
 */
export async function createTestApp(options: TestAppOptions = {}) {
  const config = testConfig({
    METRICS_ENABLED: String(options.observabilityFor !== undefined),
    ...(options.build ? { BUILD_SHA: options.build } : {}),
    ...options.env,
  });
  let store = options.store;
  if (!store) {
    store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
    await loadRecords(store.loader, options.records ?? fixtureRecords());
  }
  const platform = await openApi(config, {
    store,
    identity: options.identity,
    rateLimiter: options.rateLimiter,
    cache: options.cache,
    logger: options.logger ?? pino({ level: 'silent' }),
    observability: options.observabilityFor,
    app: {
      authRateLimits: options.authRateLimits,
      trustedProxyHops: options.trustedProxyHops,
      hsts: options.hsts,
      exposeCacheHeaders: options.exposeCacheHeaders,
      hitLane: options.hitLane,
    },
  });
  const { app, accounts } = platform;
  return { app, store, server: platform.handler, accounts, platform, secret: config.JWT_SECRET! };
}

type Requestable = Parameters<typeof request>[0];

/** Signs up and in; the bearer header of a plain user. */
export async function signedUpUser(server: Requestable, email: string, password = ADMIN_PASSWORD) {
  await request(server).post('/auth/signup').send({ email, password }).expect(201);
  const signin = await request(server).post('/auth/signin').send({ email, password }).expect(200);
  return { Authorization: `Bearer ${signin.body.accessToken as string}` };
}

/** Claims the first admin for the holder of `accessToken` with the test apps' bootstrap token. */
export async function claimFirstAdmin(server: Requestable, accessToken: string): Promise<void> {
  await request(server)
    .post('/auth/admin-bootstrap')
    .set('Authorization', `Bearer ${accessToken}`)
    .send({ token: ADMIN_BOOTSTRAP_TOKEN })
    .expect(200);
}

/** The first admin, made as in production: sign up, then claim the role with the bootstrap token. */
export async function signedUpAdmin(server: Requestable, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  const auth = await signedUpUser(server, email, password);
  await claimFirstAdmin(server, auth.Authorization.slice('Bearer '.length));
  return auth;
}

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Runs `use` over the SQLite file at `path` and closes the store whatever happens. */
export async function withStore<T>(path: string, use: (store: CatalogueStore) => Promise<T>): Promise<T> {
  const store = openSqliteCatalogueStore({ DATABASE_PATH: path });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Runs `use` with a test app made from `options`, and closes it whatever happens. */
export async function withApp<T>(options: TestAppOptions, use: (ctx: TestApp) => Promise<T>): Promise<T> {
  const ctx = await createTestApp(options);
  try {
    return await use(ctx);
  } finally {
    await ctx.platform.close();
  }
}

/**
 * One app and one signed-up admin for a whole describe block: made in its beforeAll, closed in its
 * afterAll. Read `suite.ctx` and `suite.auth` inside the tests (they exist once beforeAll ran).
 */
export function appWithAdminPerSuite(options: TestAppOptions = {}) {
  const suite = {} as { ctx: TestApp; auth: { Authorization: string } };
  beforeAll(async () => {
    suite.ctx = await createTestApp(options);
    suite.auth = await signedUpAdmin(suite.ctx.server);
  });
  afterAll(() => suite.ctx.platform.close());
  return suite;
}

/** Runs `use` with an app serving the SQLite file at `path` as it is (no fixture load), then closes both. */
export function withAppOverStore<T>(path: string, use: (ctx: TestApp) => Promise<T>): Promise<T> {
  return withStore(path, (store) => withApp({ store }, use));
}
