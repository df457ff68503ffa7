export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Our record of an account; its role is the source of truth for authorization. */
export interface UserAccount {
  uid: string;
  email: string;
  displayName: string | null;
  role: Role;
  createdAt: string;
}

/** Refused: the change would leave no admin (deleting or demoting the last one). */
export class LastAdminError extends Error {
  constructor() {
    super('this is the last admin account: grant another admin first (npm run admin:grant)');
  }
}

/** Accounts by email, after `afterEmail`, at most `limit`; only those with `role` when given. */
export interface UserListPage {
  readonly limit: number;
  readonly afterEmail?: string;
  readonly role?: Role;
}

/** The users table. Adapters pass the users part of the store contract suite. */
export interface UserRepository {
  /** Throws EmailTakenError when the email (case-insensitive) or uid already exists. */
  create(account: Omit<UserAccount, 'createdAt'>): Promise<UserAccount>;
  findByUid(uid: string): Promise<UserAccount | null>;
  findByEmail(email: string): Promise<UserAccount | null>;
  list(page: UserListPage): Promise<UserAccount[]>;
  /** False when there is no such account. Throws LastAdminError rather than demote the last admin. */
  setRole(uid: string, role: Role): Promise<boolean>;
  /**
   * Makes this account an admin if, and only if, no admin exists: one statement, so of two racing
   * claims one wins. False when an admin exists already (or there is no such account).
   */
  promoteFirstAdmin(uid: string): Promise<boolean>;
  /** False when there is no such account. Throws LastAdminError rather than delete the last admin. */
  remove(uid: string): Promise<boolean>;
}
