import type { StoredCredential } from '../../core/ports/credential-store';
import type { Role, UserAccount } from '../../core/ports/user-repository';

/** A `users` row; the drivers differ only in how the timestamp comes back. */
export interface UserRow {
  uid: string;
  email: string;
  display_name: string | null;
  role: Role;
  created_at: unknown;
}

/** A `local_credentials` row. */
export interface CredentialRow {
  uid: string;
  email: string;
  display_name: string | null;
  password_hash: string;
}

export function accountFromRow(
  row: UserRow | undefined,
  isoTimestamp: (value: unknown) => string,
): UserAccount | null {
  return row
    ? {
        uid: row.uid,
        email: row.email,
        displayName: row.display_name,
        role: row.role,
        createdAt: isoTimestamp(row.created_at),
      }
    : null;
}

export function credentialFromRow(row: CredentialRow | undefined): StoredCredential | null {
  return row
    ? { uid: row.uid, email: row.email, displayName: row.display_name, passwordHash: row.password_hash }
    : null;
}
