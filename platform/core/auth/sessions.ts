import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SessionRepository } from '../ports/session-repository';
import type { UserAccount } from '../ports/user-repository';
import { type AccessToken, type AccessTokens, InvalidTokenError } from './access-tokens';

export interface SessionOptions {
  /** How long a sign-in lasts, refreshes included; a refresh never extends it. @default 2592000 (30 days) */
  readonly refreshTtlSeconds?: number;
  /** Live sessions an account may hold; a new sign-in ends the oldest beyond it. @default 50 */
  readonly maxSessionsPerAccount?: number;
  /** @default the system's wall clock */
  readonly now?: () => Date;
}

/** An access token and the refresh token that renews it. */
export interface SignedIn extends AccessToken {
  refreshToken: string;
  /** Seconds until the refresh token (the session) expires. */
  refreshExpiresIn: number;
}

/** The account behind a current access token of a live session. */
export interface SessionAccount extends UserAccount {
  sessionId: string;
}

/** A refresh token that renews nothing: malformed, unknown, expired, revoked, or spent (which revokes). */
export class RefreshRefusedError extends Error {}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const REFRESH_TOKEN = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signed-in devices. A refresh token is `<session id>.<secret>`; only the secret's digest is stored.
 * Each refresh spends the token and hands out the next; presenting a spent one again means a copy
 * exists, and revokes the session (rotation with reuse detection, RFC 9700 §4.14.2). Access tokens
 * name their session, and every request checks it is live, so a sign-out takes effect at once.
 */
export class Sessions {
  private readonly ttlMs: number;
  private readonly now: () => Date;
  private readonly maxLive: number;

  constructor(
    private readonly store: SessionRepository,
    private readonly tokens: AccessTokens,
    options: SessionOptions = {},
  ) {
    this.ttlMs = (options.refreshTtlSeconds ?? 30 * 24 * 3600) * 1000;
    this.now = options.now ?? (() => new Date());
    this.maxLive = options.maxSessionsPerAccount ?? 50;
  }

  async start(account: UserAccount): Promise<SignedIn> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.store.createSession(
      { id, uid: account.uid, refreshHash: hashOf(secret), expiresAt },
      now,
      this.maxLive,
    );
    return this.signedIn(account, id, secret, expiresAt, now);
  }

  async refresh(refreshToken: string): Promise<SignedIn> {
    const [, id, presented] = REFRESH_TOKEN.exec(refreshToken) ?? [];
    if (!id || !presented) throw new RefreshRefusedError('this is not a refresh token issued by this API');
    const secret = randomBytes(32).toString('base64url');
    const now = this.now();
    const rotation = await this.store.rotateSession(id, hashOf(presented), hashOf(secret), now);
    if (rotation.outcome === 'reused')
      throw new RefreshRefusedError(
        'this refresh token was already used: the session is revoked, sign in again',
      );
    if (rotation.outcome === 'unknown')
      throw new RefreshRefusedError('the refresh token is unknown, expired or revoked: sign in again');
    const account = await this.store.sessionAccount(id, now);
    if (!account) throw new RefreshRefusedError('the account no longer exists');
    return this.signedIn(account, id, secret, rotation.expiresAt, now);
  }

  /** Throws InvalidTokenError unless the token is current and its session live. */
  async account(accessToken: string): Promise<SessionAccount> {
    const claims = this.tokens.verify(accessToken);
    const account = await this.store.sessionAccount(claims.sid, this.now());
    if (!account || account.uid !== claims.sub) throw new InvalidTokenError('the session has ended');
    return { ...account, sessionId: claims.sid };
  }

  end(sessionId: string): Promise<void> {
    return this.store.revokeSession(sessionId, this.now());
  }

  /** Ends every session of the account but `keep`; returns how many ended. */
  endAll(uid: string, keep?: string): Promise<number> {
    return this.store.revokeSessions(uid, this.now(), keep);
  }

  private signedIn(account: UserAccount, id: string, secret: string, expiresAt: Date, now: Date): SignedIn {
    return {
      ...this.tokens.issue(account, id),
      refreshToken: `${id}.${secret}`,
      refreshExpiresIn: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
    };
  }
}
