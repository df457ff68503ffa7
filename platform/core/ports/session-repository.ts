import type { UserAccount } from './user-repository';

/** A signed-in device: the refresh token's family. Only hashes of refresh tokens are stored. */
export interface NewSession {
  id: string;
  uid: string;
  refreshHash: string;
  expiresAt: Date;
}

/**
 * What presenting a refresh token did. `rotated`: it was the current one and is now spent.
 * `reused`: it was the one spent before it, which only a copy can present, so the session is now
 * revoked. `unknown`: no live session holds it.
 */
export type Rotation =
  | { outcome: 'rotated'; uid: string; expiresAt: Date }
  | { outcome: 'reused' }
  | { outcome: 'unknown' };

/** Sessions next to the users table. Adapters pass the sessions part of the store contract suite. */
export interface SessionRepository {
  /**
   * Adds the session; the account's other live sessions beyond the newest `maxLive - 1` are
   * revoked, so one account's sign-ins cannot grow the table without end.
   */
  createSession(session: NewSession, now: Date, maxLive: number): Promise<void>;
  /** One conditional update: of two racing presentations of one token, exactly one rotates. */
  rotateSession(id: string, presentedHash: string, nextHash: string, now: Date): Promise<Rotation>;
  /** The account behind a live (unrevoked, unexpired) session; null otherwise. */
  sessionAccount(id: string, now: Date): Promise<UserAccount | null>;
  revokeSession(id: string, now: Date): Promise<void>;
  /** Revokes every live session of the account but `exceptId`; returns how many. */
  revokeSessions(uid: string, now: Date, exceptId?: string): Promise<number>;
}
