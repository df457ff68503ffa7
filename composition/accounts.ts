import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LocalIdentityProvider } from '../platform/adapters/local/local-identity-provider';
import { PasswordHasher } from '../platform/adapters/local/password-hash';
import { MemoryRateLimiter } from '../platform/adapters/memory/memory-rate-limiter';
import { RedisRateLimiter } from '../platform/adapters/redis/redis-rate-limiter';
import type { Config } from '../platform/config';
import { AccessTokens } from '../platform/core/auth/access-tokens';
import { Accounts } from '../platform/core/auth/accounts';
import { Sessions } from '../platform/core/auth/sessions';
import type { CredentialStore } from '../platform/core/ports/credential-store';
import type { IdentityProvider } from '../platform/core/ports/identity-provider';
import type { RateLimiter } from '../platform/core/ports/rate-limiter';
import type { SessionRepository } from '../platform/core/ports/session-repository';
import type { UserRepository } from '../platform/core/ports/user-repository';

type AccountsConfig = Pick<
  Config,
  | 'NODE_ENV'
  | 'JWT_SECRET'
  | 'JWT_ISSUER'
  | 'JWT_AUDIENCE'
  | 'ACCESS_TOKEN_TTL_SECONDS'
  | 'REFRESH_TOKEN_TTL_SECONDS'
  | 'ADMIN_BOOTSTRAP_TOKEN'
  | 'FIREBASE_PROJECT_ID'
  | 'FIREBASE_API_KEY'
  | 'FIREBASE_SERVICE_ACCOUNT_JSON'
  | 'PASSWORD_HASH_CONCURRENCY'
  | 'PASSWORD_HASH_MAX_WAITING'
>;

/** Firebase when FIREBASE_PROJECT_ID is set, else the local provider over our own tables. */
function openIdentityProvider(config: AccountsConfig, credentials: CredentialStore): IdentityProvider {
  if (!config.FIREBASE_PROJECT_ID) {
    const passwords = new PasswordHasher({
      concurrency: config.PASSWORD_HASH_CONCURRENCY,
      maxWaiting: config.PASSWORD_HASH_MAX_WAITING,
    });
    return new LocalIdentityProvider(credentials, passwords);
  }
  // Loaded only when configured: firebase-admin costs ~20 MB of memory to load.
  const { FirebaseIdentityProvider } =
    require('../platform/adapters/firebase/firebase-identity-provider') as typeof import('../platform/adapters/firebase/firebase-identity-provider');
  return new FirebaseIdentityProvider({
    projectId: config.FIREBASE_PROJECT_ID,
    apiKey: config.FIREBASE_API_KEY!,
    serviceAccountJson: config.FIREBASE_SERVICE_ACCOUNT_JSON,
    allowEmulator: config.NODE_ENV !== 'production',
  });
}

/**
 * The configured bootstrap token; outside production without one, a fresh one printed once to the
 * terminal (never to the log), so a laptop's first admin needs no extra step.
 */
export function adminBootstrapToken(
  config: Pick<Config, 'ADMIN_BOOTSTRAP_TOKEN' | 'NODE_ENV'>,
  generate: boolean,
): string | undefined {
  if (config.ADMIN_BOOTSTRAP_TOKEN || config.NODE_ENV === 'production' || !generate)
    return config.ADMIN_BOOTSTRAP_TOKEN;
  const token = randomBytes(32).toString('base64url');
  process.stderr.write(
    `\nFirst admin: sign up, then POST /auth/admin-bootstrap {"token":"${token}"} with your bearer token.\nThe token works until an admin exists and dies with this process.\n\n`,
  );
  return token;
}

export function openAccounts(
  config: AccountsConfig,
  stores: { users: UserRepository; credentials: CredentialStore; sessions: SessionRepository },
  log: Logger,
  /**
   * generateBootstrapToken: the API's start, not the CLIs: outside production, make and print a
   * token when none is set. issuesTokens: false for tools that sign nothing (admin:grant), which
   * need no JWT_SECRET and so are not warned about it.
   */
  { generateBootstrapToken = false, issuesTokens = true } = {},
  identity: IdentityProvider = openIdentityProvider(config, stores.credentials),
): Accounts {
  let secret = config.JWT_SECRET;
  if (!secret) {
    // Only outside production (config refuses it there): tokens die with the process.
    if (issuesTokens)
      log.warn('JWT_SECRET is not set: using a random secret; tokens will not survive a restart');
    secret = randomBytes(32).toString('base64url');
  }
  const tokens = new AccessTokens({
    secret,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const sessions = new Sessions(stores.sessions, tokens, {
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  return new Accounts(identity, stores.users, sessions, {
    adminBootstrapToken: adminBootstrapToken(config, generateBootstrapToken),
  });
}

export function openRateLimiter(redis: Redis | Cluster | undefined): RateLimiter {
  return redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
}
