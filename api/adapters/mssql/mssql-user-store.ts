import type sql from 'mssql';
import type { CredentialStore, StoredCredential } from '../../core/ports/credential-store';
import { EmailTakenError } from '../../core/ports/identity-provider';
import {
  LastAdminError,
  type Role,
  type UserAccount,
  type UserRepository,
} from '../../core/ports/user-repository';
import { accountFromRow, type CredentialRow, credentialFromRow, type UserRow } from '../sql/user-rows';
import { isoTimestamp, isUniqueViolation } from './rows';
import { SQL } from './statements';

/** The users table and the local provider's hashes in SQL Server (emails compare case-insensitively by collation). */
export class MssqlUserStore implements UserRepository, CredentialStore {
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

  async setRole(email: string, role: Role): Promise<boolean> {
    const changed = (await this.query(SQL.setRole, { email, role })).rowsAffected[0] === 1;
    if (!changed && (await this.findByEmail(email))) throw new LastAdminError();
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

  async removeCredential(uid: string): Promise<void> {
    await this.query(SQL.deleteCredential, { uid });
  }
}
