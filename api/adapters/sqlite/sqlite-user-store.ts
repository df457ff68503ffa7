import type Database from 'better-sqlite3';
import type { CredentialStore, StoredCredential } from '../../core/ports/credential-store';
import { EmailTakenError } from '../../core/ports/identity-provider';
import {
  LastAdminError,
  type Role,
  type UserAccount,
  type UserRepository,
} from '../../core/ports/user-repository';
import { accountFromRow, type CredentialRow, credentialFromRow, type UserRow } from '../sql/user-rows';
import type { SqliteWriteLock } from './busy';
import { isUniqueViolation } from './errors';

const toAccount = (row: UserRow | undefined) => accountFromRow(row, String);

function rethrowDuplicate(error: unknown): never {
  if (isUniqueViolation(error) || (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    throw new EmailTakenError();
  throw error;
}

/** The users table (accounts and roles) and the local provider's password hashes. */
export class SqliteUserStore implements UserRepository, CredentialStore {
  constructor(
    private readonly db: Database.Database,
    private readonly writes: SqliteWriteLock,
  ) {}

  async create(account: Omit<UserAccount, 'createdAt'>): Promise<UserAccount> {
    const createdAt = new Date().toISOString();
    try {
      await this.writes.run(() =>
        this.db
          .prepare('INSERT INTO users (uid, email, display_name, role, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(account.uid, account.email, account.displayName, account.role, createdAt),
      );
    } catch (error) {
      rethrowDuplicate(error);
    }
    return { ...account, createdAt };
  }

  async findByUid(uid: string): Promise<UserAccount | null> {
    const row = this.db.prepare('SELECT * FROM users WHERE uid = ?').get(uid) as UserRow | undefined;
    return toAccount(row);
  }

  async findByEmail(email: string): Promise<UserAccount | null> {
    const row = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
    return toAccount(row);
  }

  // One statement each, so two admins removing themselves at once cannot both pass the count.
  async setRole(email: string, role: Role): Promise<boolean> {
    const changed = await this.writes.run(
      () =>
        this.db
          .prepare(
            `UPDATE users SET role = ? WHERE email = ?
             AND (? = 'admin' OR role <> 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)`,
          )
          .run(role, email, role).changes > 0,
    );
    if (!changed && (await this.findByEmail(email))) throw new LastAdminError();
    return changed;
  }

  async promoteFirstAdmin(uid: string): Promise<boolean> {
    return this.writes.run(
      () =>
        this.db
          .prepare(
            `UPDATE users SET role = 'admin' WHERE uid = ?
             AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`,
          )
          .run(uid).changes > 0,
    );
  }

  async remove(uid: string): Promise<boolean> {
    const removed = await this.writes.run(
      () =>
        this.db
          .prepare(
            `DELETE FROM users WHERE uid = ?
             AND (role <> 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)`,
          )
          .run(uid).changes > 0,
    );
    if (!removed && (await this.findByUid(uid))) throw new LastAdminError();
    return removed;
  }

  async insertCredential(credential: StoredCredential): Promise<void> {
    try {
      await this.writes.run(() =>
        this.db
          .prepare(
            'INSERT INTO local_credentials (uid, email, display_name, password_hash) VALUES (?, ?, ?, ?)',
          )
          .run(credential.uid, credential.email, credential.displayName, credential.passwordHash),
      );
    } catch (error) {
      rethrowDuplicate(error);
    }
  }

  async findCredential(email: string): Promise<StoredCredential | null> {
    const row = this.db.prepare('SELECT * FROM local_credentials WHERE email = ?').get(email) as
      | CredentialRow
      | undefined;
    return credentialFromRow(row);
  }

  async findCredentialByUid(uid: string): Promise<StoredCredential | null> {
    const row = this.db.prepare('SELECT * FROM local_credentials WHERE uid = ?').get(uid) as
      | CredentialRow
      | undefined;
    return credentialFromRow(row);
  }

  async removeCredential(uid: string): Promise<void> {
    await this.writes.run(() => this.db.prepare('DELETE FROM local_credentials WHERE uid = ?').run(uid));
  }
}
