import type Database from 'better-sqlite3';
import type { CredentialStore, StoredCredential } from '../../core/ports/credential-store';
import { EmailTakenError } from '../../core/ports/identity-provider';
import type { NewSession, Rotation, SessionRepository } from '../../core/ports/session-repository';
import {
  LastAdminError,
  type Role,
  type UserAccount,
  type UserListPage,
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

/** The users table (accounts and roles), their sessions and the local provider's password hashes. */
export class SqliteUserStore implements UserRepository, CredentialStore, SessionRepository {
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

  async list(page: UserListPage): Promise<UserAccount[]> {
    const rows = this.db
      .prepare(`SELECT * FROM users WHERE email > ? AND (? IS NULL OR role = ?) ORDER BY email LIMIT ?`)
      .all(page.afterEmail ?? '', page.role ?? null, page.role ?? null, page.limit) as UserRow[];
    return rows.map((row) => toAccount(row)!);
  }

  // One statement each, so two admins demoting themselves at once cannot both pass the count.
  async setRole(uid: string, role: Role): Promise<boolean> {
    const changed = await this.writes.run(
      () =>
        this.db
          .prepare(
            `UPDATE users SET role = ? WHERE uid = ?
             AND (? = 'admin' OR role <> 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)`,
          )
          .run(role, uid, role).changes > 0,
    );
    if (!changed && (await this.findByUid(uid))) throw new LastAdminError();
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

  async updatePasswordHash(uid: string, passwordHash: string): Promise<boolean> {
    return this.writes.run(
      () =>
        this.db.prepare('UPDATE local_credentials SET password_hash = ? WHERE uid = ?').run(passwordHash, uid)
          .changes > 0,
    );
  }

  async removeCredential(uid: string): Promise<void> {
    await this.writes.run(() => this.db.prepare('DELETE FROM local_credentials WHERE uid = ?').run(uid));
  }

  async createSession(session: NewSession, now: Date, maxLive: number): Promise<void> {
    await this.writes.run(() =>
      this.db.transaction(() => {
        // A user's dead sessions go when they sign in again, so the table does not grow without end.
        this.db
          .prepare('DELETE FROM sessions WHERE uid = ? AND (expires_at <= ? OR revoked_at IS NOT NULL)')
          .run(session.uid, now.toISOString());
        this.db
          .prepare(
            'INSERT INTO sessions (id, uid, refresh_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            session.id,
            session.uid,
            session.refreshHash,
            now.toISOString(),
            session.expiresAt.toISOString(),
          );
        this.db
          .prepare(
            `UPDATE sessions SET revoked_at = ? WHERE uid = ? AND revoked_at IS NULL AND id <> ? AND id NOT IN (
               SELECT id FROM sessions WHERE uid = ? AND revoked_at IS NULL AND id <> ?
               ORDER BY created_at DESC, id DESC LIMIT ?)`,
          )
          .run(now.toISOString(), session.uid, session.id, session.uid, session.id, maxLive - 1);
      })(),
    );
  }

  async rotateSession(id: string, presentedHash: string, nextHash: string, now: Date): Promise<Rotation> {
    const at = now.toISOString();
    return this.writes.run(() => {
      const rotated = this.db
        .prepare(
          `UPDATE sessions SET previous_hash = refresh_hash, refresh_hash = ?
           WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL AND expires_at > ? RETURNING uid, expires_at`,
        )
        .get(nextHash, id, presentedHash, at) as { uid: string; expires_at: string } | undefined;
      if (rotated) return { outcome: 'rotated', uid: rotated.uid, expiresAt: new Date(rotated.expires_at) };
      const reused = this.db
        .prepare(
          'UPDATE sessions SET revoked_at = ? WHERE id = ? AND previous_hash = ? AND revoked_at IS NULL',
        )
        .run(at, id, presentedHash).changes;
      return { outcome: reused ? 'reused' : 'unknown' };
    });
  }

  async sessionAccount(id: string, now: Date): Promise<UserAccount | null> {
    const row = this.db
      .prepare(
        `SELECT users.* FROM sessions JOIN users ON users.uid = sessions.uid
         WHERE sessions.id = ? AND sessions.revoked_at IS NULL AND sessions.expires_at > ?`,
      )
      .get(id, now.toISOString()) as UserRow | undefined;
    return toAccount(row);
  }

  async revokeSession(id: string, now: Date): Promise<void> {
    await this.writes.run(() =>
      this.db
        .prepare('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(now.toISOString(), id),
    );
  }

  async revokeSessions(uid: string, now: Date, exceptId?: string): Promise<number> {
    return this.writes.run(
      () =>
        this.db
          .prepare(`UPDATE sessions SET revoked_at = ? WHERE uid = ? AND revoked_at IS NULL AND id <> ?`)
          .run(now.toISOString(), uid, exceptId ?? '').changes,
    );
  }
}
