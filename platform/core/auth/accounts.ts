import { createHash, timingSafeEqual } from 'node:crypto';
import { trimText } from '../../../catalogue/normalize';
import type { IdentityProvider } from '../ports/identity-provider';
import type { Role, UserAccount, UserListPage, UserRepository } from '../ports/user-repository';
import { InvalidTokenError } from './access-tokens';
import { assertStrongPassword } from './password-policy';
import type { Sessions, SignedIn } from './sessions';

/** Wrong email or wrong password: one error, so responses never reveal which accounts exist. */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('invalid email or password');
  }
}

export interface Principal {
  uid: string;
  email: string;
  role: Role;
  /** The session the bearer token belongs to. */
  sessionId: string;
}

/** A password change presented the wrong current password. */
export class WrongPasswordError extends Error {
  constructor() {
    super('the current password is wrong');
  }
}

/** An admin named an account that does not exist. */
export class AccountNotFoundError extends Error {
  constructor(uid: string) {
    super(`no account has uid ${JSON.stringify(uid)}`);
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The admin bootstrap was refused: no token is configured, or this is not it. */
export class BootstrapRefusedError extends Error {}

/** A token exchange asked of a provider that issues no ID tokens (the local one). */
export class IdTokensNotIssuedError extends Error {
  constructor(provider: string) {
    super(
      `this instance's identity provider (${provider}) issues no ID tokens to exchange: sign in with POST /auth/signin, or configure Firebase (FIREBASE_PROJECT_ID)`,
    );
  }
}

/** The bootstrap token is spent: an admin exists, and only admins make admins now. */
export class AdminExistsError extends Error {
  constructor() {
    super('an admin already exists: ask an admin, or run npm run admin:grant');
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export interface AccountsOptions {
  /**
   * A one-time secret that makes the account presenting it the first admin, while there is none.
   * Sign-up itself never grants a role. @default none: admins come only from `npm run admin:grant`
   */
  readonly adminBootstrapToken?: string;
}

/** Sign-up, sign-in and token checks over an identity provider, our users table and our tokens. */
export class Accounts {
  private readonly bootstrapDigest?: Buffer;

  constructor(
    readonly identity: IdentityProvider,
    private readonly users: UserRepository,
    private readonly sessions: Sessions,
    options: AccountsOptions = {},
  ) {
    if (options.adminBootstrapToken) this.bootstrapDigest = digest(options.adminBootstrapToken);
  }

  /** Creates the identity, then our row; a failed row removes the identity so nothing is half made. */
  async signUp(input: { email: string; password: string; displayName?: string }): Promise<UserAccount> {
    const email = normalizeEmail(input.email);
    await assertStrongPassword(input.password, email);
    const identity = await this.identity.signUp({ ...input, email });
    return this.register(identity.uid, email, input.displayName ?? null);
  }

  private async register(uid: string, email: string, displayName: string | null): Promise<UserAccount> {
    try {
      return await this.users.create({
        uid,
        email,
        displayName: storedDisplayName(displayName),
        role: 'user',
      });
    } catch (error) {
      await this.identity.deleteUser(uid).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The first admin: a signed-in account presents the bootstrap token. It works only while no admin
   * exists (one statement decides, so two claims cannot both win); after that the token is spent.
   */
  async claimFirstAdmin(uid: string, token: string): Promise<UserAccount> {
    if (!this.bootstrapDigest) {
      throw new BootstrapRefusedError('no admin bootstrap token is configured: run npm run admin:grant');
    }
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(token), this.bootstrapDigest)) {
      throw new BootstrapRefusedError('that is not the admin bootstrap token');
    }
    if (!(await this.users.promoteFirstAdmin(uid))) throw new AdminExistsError();
    await this.identity.setRole(uid, 'admin');
    return this.me(uid);
  }

  /** A new session: an access token and a refresh token. */
  async signIn(email: string, password: string): Promise<SignedIn> {
    const identity = await this.identity.signIn(normalizeEmail(email), password);
    const account = identity && (await this.users.findByUid(identity.uid));
    if (!account) throw new InvalidCredentialsError();
    return this.sessions.start(account);
  }

  refresh(refreshToken: string): Promise<SignedIn> {
    return this.sessions.refresh(refreshToken);
  }

  /** Ends the caller's session, or every session of the account. */
  async signOut(principal: Principal, everywhere: boolean): Promise<void> {
    if (everywhere) await this.sessions.endAll(principal.uid);
    else await this.sessions.end(principal.sessionId);
  }

  /**
   * Checks the current password with the provider, applies the policy to the new one, and ends
   * every other session: whoever else held this account's tokens is signed out.
   */
  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const identity = await this.identity.signIn(principal.email, current);
    if (identity?.uid !== principal.uid) throw new WrongPasswordError();
    await assertStrongPassword(next, principal.email);
    await this.identity.changePassword(principal.uid, next);
    await this.sessions.endAll(principal.uid, principal.sessionId);
  }

  listUsers(page: UserListPage): Promise<UserAccount[]> {
    return this.users.list(page);
  }

  /** An admin changes a role; the last admin cannot be demoted (LastAdminError). */
  async setRole(uid: string, role: Role): Promise<UserAccount> {
    if (!(await this.users.setRole(uid, role))) throw new AccountNotFoundError(uid);
    await this.identity.setRole(uid, role);
    return this.me(uid);
  }

  /** Trades a provider ID token (from a client SDK) for our access token, registering first-timers. */
  async exchange(idToken: string): Promise<SignedIn> {
    if (!this.identity.issuesIdTokens) throw new IdTokensNotIssuedError(this.identity.name);
    const identity = await this.identity.verifyIdToken(idToken);
    if (!identity) throw new InvalidTokenError('invalid ID token');
    const account =
      (await this.users.findByUid(identity.uid)) ??
      (await this.register(identity.uid, normalizeEmail(identity.email), identity.displayName ?? null));
    return this.sessions.start(account);
  }

  /**
   * The caller behind a bearer token. The session and the role are read from our tables on every
   * request, so a sign-out, a deletion or a demotion takes effect at once.
   */
  async authenticate(token: string): Promise<Principal> {
    const account = await this.sessions.account(token);
    return { uid: account.uid, email: account.email, role: account.role, sessionId: account.sessionId };
  }

  async me(uid: string): Promise<UserAccount> {
    const account = await this.users.findByUid(uid);
    if (!account) throw new InvalidTokenError('the account no longer exists');
    return account;
  }

  async deleteAccount(uid: string): Promise<void> {
    await this.users.remove(uid);
    await this.identity.deleteUser(uid);
  }

  /** `npm run admin:grant`: the role in our table, mirrored to the provider's claims. */
  async grantRole(email: string, role: Role): Promise<UserAccount> {
    const normalized = normalizeEmail(email);
    const account = await this.users.findByEmail(normalized);
    if (!account) throw new Error(`no account for ${normalized}`);
    return this.setRole(account.uid, role);
  }
}

/**
 * A display name as stored: trimmed, control characters dropped (the API's schema refuses them;
 * an identity provider's profile may still carry them), blank as none.
 */
function storedDisplayName(name: string | null): string | null {
  if (name === null) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it removes
  const cleaned = trimText(name.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ')).replace(/ {2,}/g, ' ');
  return cleaned === '' ? null : cleaned;
}
