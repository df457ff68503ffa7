import { randomUUID } from 'node:crypto';
import type { CredentialStore } from '../../core/ports/credential-store';
import {
  CredentialPolicyError,
  type Identity,
  type IdentityProvider,
} from '../../core/ports/identity-provider';
import { PasswordHasher } from './password-hash';

/** The embedded identity provider: scrypt hashes in our own database. */
export class LocalIdentityProvider implements IdentityProvider {
  readonly name = 'local';
  readonly issuesIdTokens = false;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly passwords = new PasswordHasher(),
  ) {}

  async signUp(input: { email: string; password: string; displayName?: string }): Promise<Identity> {
    const uid = randomUUID();
    await this.credentials.insertCredential({
      uid,
      email: input.email,
      displayName: input.displayName ?? null,
      passwordHash: await this.passwords.hash(input.password),
    });
    return { uid, email: input.email, ...(input.displayName ? { displayName: input.displayName } : {}) };
  }

  async signIn(email: string, password: string): Promise<Identity | null> {
    const credential = await this.credentials.findCredential(email);
    const matches = await this.passwords.verify(
      password,
      credential?.passwordHash ?? (await this.passwords.decoyHash()),
    );
    return credential && matches ? { uid: credential.uid, email: credential.email } : null;
  }

  /** The local provider issues no ID tokens of its own; clients sign in with a password. */
  async verifyIdToken(): Promise<Identity | null> {
    return null;
  }

  async changePassword(uid: string, password: string): Promise<void> {
    const changed = await this.credentials.updatePasswordHash(uid, await this.passwords.hash(password));
    if (!changed) throw new CredentialPolicyError('this account has no password with this provider');
  }

  async setRole(): Promise<void> {
    // Roles live in the users table only.
  }

  async deleteUser(uid: string): Promise<void> {
    await this.credentials.removeCredential(uid);
  }

  async close(): Promise<void> {}
}
