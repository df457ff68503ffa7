import type sql from 'mssql';
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
import { isoTimestamp, isUniqueViolation } from './rows';
import { SQL } from './statements';

/** The users table and the local provider's hashes in SQL Server (emails compare case-insensitively by collation). */
export class MssqlUserStore implements UserRepository, CredentialStore, SessionRepository {
  constructor(private readonly pool: sql.ConnectionPool) {}

  private async query<T>(text: string, inputs: Record<string, unknown>) {
    const request = this.pool.request();
    for (const [name, value] of Object.entries(inputs)) request.input(name, value);
    try {
      return await request.query<T>(text);
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  private static account(row: UserRow | undefined): UserAccount | null {
    return accountFromRow(row, isoTimestamp);
  }

  private static credential = credentialFromRow;

  async create(account: Omit<UserAccount, 'createdAt'>): Promise<UserAccount> {
    const createdAt = new Date();
    await this.query(SQL.insertUser, { ...account, createdAt });
    return { ...account, createdAt: createdAt.toISOString() };
  }

  async findByUid(uid: string) {
    return MssqlUserStore.account((await this.query<UserRow>(SQL.userByUid, { uid })).recordset[0]);
  }

  async findByEmail(email: string) {
    return MssqlUserStore.account((await this.query<UserRow>(SQL.userByEmail, { email })).recordset[0]);
  }

  async list(page: UserListPage): Promise<UserAccount[]> {
    const rows = await this.query<UserRow>(SQL.listUsers, {
      limit: page.limit,
      afterEmail: page.afterEmail ?? '',
      role: page.role ?? null,
    });
    return rows.recordset.map((row) => MssqlUserStore.account(row)!);
  }

  async setRole(uid: string, role: Role): Promise<boolean> {
    const changed = (await this.query(SQL.setRole, { uid, role })).rowsAffected[0] === 1;
    if (!changed && (await this.findByUid(uid))) throw new LastAdminError();
    return changed;
  }

  async promoteFirstAdmin(uid: string): Promise<boolean> {
    return (await this.query(SQL.promoteFirstAdmin, { uid })).rowsAffected[0] === 1;
  }

  async remove(uid: string): Promise<boolean> {
    const removed = (await this.query(SQL.deleteUser, { uid })).rowsAffected[0] === 1;
    if (!removed && (await this.findByUid(uid))) throw new LastAdminError();
    return removed;
  }

  async insertCredential(credential: StoredCredential): Promise<void> {
    await this.query(SQL.insertCredential, { ...credential });
  }

  async findCredential(email: string) {
    return MssqlUserStore.credential(
      (await this.query<CredentialRow>(SQL.credentialByEmail, { email })).recordset[0],
    );
  }

  async findCredentialByUid(uid: string) {
    return MssqlUserStore.credential(
      (await this.query<CredentialRow>(SQL.credentialByUid, { uid })).recordset[0],
    );
  }

  async updatePasswordHash(uid: string, passwordHash: string): Promise<boolean> {
    return (await this.query(SQL.updatePasswordHash, { uid, passwordHash })).rowsAffected[0] === 1;
  }

  async removeCredential(uid: string): Promise<void> {
    await this.query(SQL.deleteCredential, { uid });
  }

  async createSession(session: NewSession, now: Date, maxLive: number): Promise<void> {
    await this.query(SQL.insertSession, { ...session, now, keep: maxLive - 1 });
  }

  async rotateSession(id: string, presentedHash: string, nextHash: string, now: Date): Promise<Rotation> {
    const rotated = await this.query<{ uid: string; expires_at: unknown }>(SQL.rotateSession, {
      id,
      presentedHash,
      nextHash,
      now,
    });
    const row = rotated.recordset[0];
    if (row) return { outcome: 'rotated', uid: row.uid, expiresAt: new Date(isoTimestamp(row.expires_at)) };
    const reused = await this.query(SQL.revokeReusedSession, { id, presentedHash, now });
    return { outcome: reused.rowsAffected[0] === 1 ? 'reused' : 'unknown' };
  }

  async sessionAccount(id: string, now: Date): Promise<UserAccount | null> {
    return MssqlUserStore.account((await this.query<UserRow>(SQL.sessionAccount, { id, now })).recordset[0]);
  }

  async revokeSession(id: string, now: Date): Promise<void> {
    await this.query(SQL.revokeSession, { id, now });
  }

  async revokeSessions(uid: string, now: Date, exceptId?: string): Promise<number> {
    return (
      (await this.query(SQL.revokeSessions, { uid, now, exceptId: exceptId ?? '' })).rowsAffected[0] ?? 0
    );
  }
}
