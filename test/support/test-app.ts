import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { LocalIdentityProvider } from '../../api/adapters/local/local-identity-provider';
import { MemoryRateLimiter } from '../../api/adapters/memory/memory-rate-limiter';
import { type CatalogueStore, openCatalogueStore } from '../../api/composition/catalogue-store';
import { AccessTokens } from '../../api/core/auth/access-tokens';
import { Accounts } from '../../api/core/auth/accounts';
import type { ReadThroughCache } from '../../api/core/cache/read-through-cache';
import type { AnimeInput } from '../../api/core/domain/anime';
import type { IdentityProvider } from '../../api/core/ports/identity-provider';
import type { RateLimiter } from '../../api/core/ports/rate-limiter';
import { createApp } from '../../api/http/app';
import type { AuthRateLimits } from '../../api/http/throttle';
import type { Observability } from '../../api/observability/observability';
import { fixtureRecords } from './fixtures';

export const ADMIN_EMAIL = 'admin@example.test';
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
}

/** The auth half of an app's dependencies, with a fresh random secret per test app. */
export function testAccounts(store: CatalogueStore, identity?: IdentityProvider) {
  const secret = randomBytes(32).toString('base64url');
  const tokens = new AccessTokens({ secret, ...JWT_OPTIONS });
  const provider = identity ?? new LocalIdentityProvider(store.credentials);
  return {
    secret,
    tokens,
    accounts: new Accounts(provider, store.users, tokens, { adminEmails: [ADMIN_EMAIL] }),
  };
}

/** A real app over a real (in-memory SQLite) store, loaded with the fixture catalogue. */
export async function createTestApp(options: TestAppOptions = {}) {
  let store = options.store;
  if (!store) {
    store = openCatalogueStore({ DATABASE_PATH: ':memory:' });
    const load = await store.loader.begin('upsert');
    await load.stage(options.records ?? fixtureRecords());
    await load.commit();
  }
  const auth = testAccounts(store, options.identity?.(store));
  const app = createApp({
    repository: options.observabilityFor
      ? options.observabilityFor.repository(store.repository)
      : store.repository,
    observability: options.observabilityFor,
    accounts: auth.accounts,
    rateLimiter: options.rateLimiter ?? new MemoryRateLimiter(),
    authRateLimits: options.authRateLimits,
    logger: options.logger ?? pino({ level: 'silent' }),
    cache: options.cache,
    trustedProxyHops: options.trustedProxyHops,
    hsts: options.hsts,
    exposeCacheHeaders: options.exposeCacheHeaders,
  });
  return { app, store, server: app.callback(), ...auth };
}
