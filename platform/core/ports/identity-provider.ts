/** Someone the identity provider vouches for. */
export interface Identity {
  uid: string;
  email: string;
  displayName?: string;
}

export class EmailTakenError extends Error {
  constructor() {
    super('an account with this email already exists');
  }
}

/** The provider refused the proposed credentials (its own policy, beyond our schema). */
export class CredentialPolicyError extends Error {}

/** The provider could not be reached or answered unexpectedly; the caller may retry later. */
export class IdentityUnavailableError extends Error {}

/** The provider is up but at its limit of work in flight (password hashing): retry in a moment. */
export class IdentityBusyError extends IdentityUnavailableError {}

/**
 * Who a user is. Adapters: local (scrypt hashes in SQL, the embedded default) and firebase
 * (Firebase Authentication). Both pass test/contract/identity-provider.contract.ts.
 */
export interface IdentityProvider {
  readonly name: string;
  /** Whether clients get ID tokens from this provider to exchange (Firebase's client SDKs do). */
  readonly issuesIdTokens: boolean;
  /** Throws EmailTakenError or CredentialPolicyError. */
  signUp(input: { email: string; password: string; displayName?: string }): Promise<Identity>;
  /** Null for an unknown email and for a wrong password alike. */
  signIn(email: string, password: string): Promise<Identity | null>;
  /** A provider-issued ID token (Firebase client SDKs); null when invalid, expired or revoked. */
  verifyIdToken(idToken: string): Promise<Identity | null>;
  /**
   * Replaces the password (CredentialPolicyError when the provider refuses it) and ends the
   * provider's own sessions where it keeps any (Firebase refresh tokens).
   */
  changePassword(uid: string, password: string): Promise<void>;
  /** Mirrors our role where the provider keeps claims (a Firebase custom claim). */
  setRole(uid: string, role: string): Promise<void>;
  deleteUser(uid: string): Promise<void>;
  close(): Promise<void>;
}
