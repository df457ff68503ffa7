import { randomUUID } from 'node:crypto';
import { type App, applicationDefault, cert, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import {
  CredentialPolicyError,
  EmailTakenError,
  type Identity,
  type IdentityProvider,
  IdentityUnavailableError,
} from '../../core/ports/identity-provider';

export interface FirebaseIdentityOptions {
  readonly projectId: string;
  /** Web API key for the Identity Toolkit REST API (password sign-in). */
  readonly apiKey: string;
  /** A service-account JSON (from Key Vault); @default application default credentials */
  readonly serviceAccountJson?: string;
  /**
   * The emulator's ID tokens are unsigned and firebase-admin accepts them whenever
   * FIREBASE_AUTH_EMULATOR_HOST is set, so production must refuse to run with it. @default false
   */
  readonly allowEmulator?: boolean;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/** Sign-in answers that mean "wrong email or password", which we must not tell apart. */
const REJECTED_SIGN_IN = new Set([
  'EMAIL_NOT_FOUND',
  'INVALID_PASSWORD',
  'INVALID_LOGIN_CREDENTIALS',
  'USER_DISABLED',
  'INVALID_EMAIL',
]);

/** Firebase Authentication: firebase-admin for accounts and ID tokens, Identity Toolkit for passwords. */
export class FirebaseIdentityProvider implements IdentityProvider {
  readonly name = 'firebase';
  readonly issuesIdTokens = true;
  private readonly app: App;
  private readonly auth: Auth;
  private readonly identityToolkit: string;

  constructor(private readonly options: FirebaseIdentityOptions) {
    const emulator = process.env.FIREBASE_AUTH_EMULATOR_HOST;
    if (emulator && !options.allowEmulator)
      throw new Error('FIREBASE_AUTH_EMULATOR_HOST is set: refusing to accept unsigned emulator tokens');
    const credential = emulator
      ? undefined
      : options.serviceAccountJson
        ? cert(JSON.parse(options.serviceAccountJson))
        : applicationDefault();
    this.app = initializeApp(
      { projectId: options.projectId, ...(credential ? { credential } : {}) },
      `anime-${randomUUID()}`,
    );
    this.auth = getAuth(this.app);
    this.identityToolkit = emulator
      ? `http://${emulator}/identitytoolkit.googleapis.com/v1`
      : 'https://identitytoolkit.googleapis.com/v1';
  }

  async signUp(input: { email: string; password: string; displayName?: string }): Promise<Identity> {
    try {
      const user = await this.auth.createUser({
        email: input.email,
        password: input.password,
        ...(input.displayName ? { displayName: input.displayName } : {}),
      });
      return { uid: user.uid, email: user.email ?? input.email, displayName: user.displayName };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'auth/email-already-exists') throw new EmailTakenError();
      if (
        code === 'auth/invalid-password' ||
        code === 'auth/invalid-email' ||
        code === 'auth/invalid-display-name'
      )
        throw new CredentialPolicyError((error as Error).message);
      throw new IdentityUnavailableError(`firebase createUser failed: ${code ?? 'unknown'}`);
    }
  }

  async signIn(email: string, password: string): Promise<Identity | null> {
    let response: Response;
    try {
      response = await fetch(
        `${this.identityToolkit}/accounts:signInWithPassword?key=${encodeURIComponent(this.options.apiKey)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password, returnSecureToken: true }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        },
      );
    } catch {
      throw new IdentityUnavailableError('identity toolkit unreachable');
    }
    const body = (await response.json().catch(() => ({}))) as {
      localId?: string;
      email?: string;
      error?: { message?: string };
    };
    if (response.ok && body.localId) return { uid: body.localId, email: body.email ?? email };
    // Messages look like "INVALID_PASSWORD" or "TOO_MANY_ATTEMPTS_TRY_LATER : ...".
    const reason = body.error?.message?.split(' ')[0] ?? '';
    if (REJECTED_SIGN_IN.has(reason)) return null;
    throw new IdentityUnavailableError(`identity toolkit answered ${response.status} ${reason}`);
  }

  async verifyIdToken(idToken: string): Promise<Identity | null> {
    try {
      const decoded = await this.auth.verifyIdToken(idToken, true);
      if (!decoded.email) return null;
      return { uid: decoded.uid, email: decoded.email, displayName: decoded.name };
    } catch {
      return null;
    }
  }

  async changePassword(uid: string, password: string): Promise<void> {
    try {
      await this.auth.updateUser(uid, { password });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'auth/invalid-password') throw new CredentialPolicyError((error as Error).message);
      throw new IdentityUnavailableError(`firebase updateUser failed: ${code ?? 'unknown'}`);
    }
    // ID tokens minted before the change must no longer be exchangeable.
    await this.auth.revokeRefreshTokens(uid);
  }

  async setRole(uid: string, role: string): Promise<void> {
    await this.auth.setCustomUserClaims(uid, { role });
  }

  async deleteUser(uid: string): Promise<void> {
    try {
      await this.auth.deleteUser(uid);
    } catch (error) {
      if ((error as { code?: string }).code !== 'auth/user-not-found') throw error;
    }
  }

  async close(): Promise<void> {
    await deleteApp(this.app);
  }
}
