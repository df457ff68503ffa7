export interface StoredCredential {
  uid: string;
  email: string;
  displayName: string | null;
  passwordHash: string;
}

/** Where the local identity provider keeps password hashes (never the passwords). */
export interface CredentialStore {
  /** Throws EmailTakenError when the email (case-insensitive) is taken. */
  insertCredential(credential: StoredCredential): Promise<void>;
  findCredential(email: string): Promise<StoredCredential | null>;
  findCredentialByUid(uid: string): Promise<StoredCredential | null>;
  /** False when the account has no local credential. */
  updatePasswordHash(uid: string, passwordHash: string): Promise<boolean>;
  removeCredential(uid: string): Promise<void>;
}
