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

/** The users table. Adapters pass the users part of the store contract suite. */
export interface UserRepository {
  /** Throws EmailTakenError when the email (case-insensitive) or uid already exists. */
  create(account: Omit<UserAccount, 'createdAt'>): Promise<UserAccount>;
  findByUid(uid: string): Promise<UserAccount | null>;
  findByEmail(email: string): Promise<UserAccount | null>;
  /** False when no account has this email. */
  setRole(email: string, role: Role): Promise<boolean>;
  remove(uid: string): Promise<boolean>;
}
