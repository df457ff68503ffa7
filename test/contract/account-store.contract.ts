import { randomUUID } from 'node:crypto';
import type { CredentialStore } from '../../platform/core/ports/credential-store';
import type { SessionRepository } from '../../platform/core/ports/session-repository';
import {
  LastAdminError,
  type Role,
  type UserListPage,
  type UserRepository,
} from '../../platform/core/ports/user-repository';

export interface AccountStoreUnderTest {
  users: UserRepository;
  sessions: SessionRepository;
  credentials: CredentialStore;
  dispose(): Promise<void>;
}

const HOUR = 3600_000;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

/** Users, sessions and credentials: what every SQL dialect's account store must do. */
export function describeAccountStoreContract(name: string, open: () => Promise<AccountStoreUnderTest>) {
  describe(`account store contract: ${name}`, () => {
    let store: AccountStoreUnderTest;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(() => store?.dispose());

    const account = async (role: Role = 'user', email = `${randomUUID()}@example.test`) => {
      const uid = randomUUID();
      await store.users.create({ uid, email, displayName: null, role });
      return uid;
    };
    const session = async (uid: string, expiresAt = at(24 * HOUR), hash = randomUUID().replace(/-/g, '')) => {
      const id = randomUUID();
      await store.sessions.createSession({ id, uid, refreshHash: hash, expiresAt }, at(0), 50);
      return { id, hash };
    };

    it('rotates a session once: of racing presentations of one hash, exactly one wins and the rest revoke it', async () => {
      const uid = await account();
      const { id, hash } = await session(uid);
      const results = await Promise.all(
        ['n1', 'n2', 'n3', 'n4'].map((next) => store.sessions.rotateSession(id, hash, next, at(HOUR))),
      );
      const rotated = results.filter((r) => r.outcome === 'rotated');
      expect(rotated).toHaveLength(1);
      expect(rotated[0]).toEqual({ outcome: 'rotated', uid, expiresAt: at(24 * HOUR) });
      // The others presented the spent hash: a copy, so the session is revoked.
      expect(results.filter((r) => r.outcome === 'reused').length).toBeGreaterThanOrEqual(1);
      expect(await store.sessions.sessionAccount(id, at(HOUR))).toBeNull();
    });

    it('tells a spent hash (revokes) from an unknown one (leaves the session alone)', async () => {
      const uid = await account();
      const { id, hash } = await session(uid);
      expect((await store.sessions.rotateSession(id, hash, 'second', at(HOUR))).outcome).toBe('rotated');
      expect((await store.sessions.rotateSession(id, 'never-issued', 'x', at(HOUR))).outcome).toBe('unknown');
      expect(await store.sessions.sessionAccount(id, at(HOUR))).toMatchObject({ uid });
      expect((await store.sessions.rotateSession(id, 'second', 'third', at(HOUR))).outcome).toBe('rotated');
      expect((await store.sessions.rotateSession(id, hash, 'x', at(HOUR))).outcome).toBe('unknown');
      expect((await store.sessions.rotateSession(id, 'second', 'x', at(HOUR))).outcome).toBe('reused');
      expect(await store.sessions.sessionAccount(id, at(HOUR))).toBeNull();
      expect((await store.sessions.rotateSession(id, 'third', 'x', at(HOUR))).outcome).toBe('unknown');
    });

    it('ends a session at its expiry, and a rotation does not extend it', async () => {
      const uid = await account();
      const { id, hash } = await session(uid, at(2 * HOUR));
      expect(await store.sessions.rotateSession(id, hash, 'later', at(HOUR))).toMatchObject({
        expiresAt: at(2 * HOUR),
      });
      expect(await store.sessions.sessionAccount(id, at(2 * HOUR - 1))).toMatchObject({ uid });
      expect(await store.sessions.sessionAccount(id, at(2 * HOUR))).toBeNull();
      expect((await store.sessions.rotateSession(id, 'later', 'x', at(2 * HOUR))).outcome).toBe('unknown');
    });

    it('revokes one session, or all but one, of one account only', async () => {
      const uid = await account();
      const other = await account();
      const [a, b, c] = [await session(uid), await session(uid), await session(uid)];
      const theirs = await session(other);
      await store.sessions.revokeSession(a.id, at(HOUR));
      expect(await store.sessions.sessionAccount(a.id, at(HOUR))).toBeNull();
      expect(await store.sessions.revokeSessions(uid, at(HOUR), c.id)).toBe(1);
      expect(await store.sessions.sessionAccount(b.id, at(HOUR))).toBeNull();
      expect(await store.sessions.sessionAccount(c.id, at(HOUR))).toMatchObject({ uid });
      expect(await store.sessions.sessionAccount(theirs.id, at(HOUR))).toMatchObject({ uid: other });
      expect(await store.sessions.revokeSessions(uid, at(HOUR))).toBe(1);
      expect(await store.sessions.sessionAccount(c.id, at(HOUR))).toBeNull();
    });

    it('keeps at most maxLive live sessions per account: a new one ends the oldest, never itself', async () => {
      const uid = await account();
      const other = await account();
      const theirs = await session(other);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = randomUUID();
        await store.sessions.createSession(
          { id, uid, refreshHash: `h${i}`, expiresAt: at(24 * HOUR) },
          at(i * 1000),
          3,
        );
        ids.push(id);
      }
      const live = await Promise.all(
        ids.map(async (id) => (await store.sessions.sessionAccount(id, at(HOUR))) !== null),
      );
      expect(live).toEqual([false, false, true, true, true]);
      expect(await store.sessions.sessionAccount(theirs.id, at(HOUR))).toMatchObject({ uid: other });
    });

    it("drops an account's sessions with the account", async () => {
      const uid = await account();
      const { id } = await session(uid);
      expect(await store.users.remove(uid)).toBe(true);
      expect(await store.sessions.sessionAccount(id, at(HOUR))).toBeNull();
    });

    it('lists accounts by email in keyset pages, by role when asked', async () => {
      const prefix = `list-${randomUUID().slice(0, 6)}`;
      const emails = ['c', 'a', 'e', 'b', 'd'].map((x) => `${prefix}-${x}@example.test`);
      for (const email of emails) await account(email.includes('-b@') ? 'admin' : 'user', email);
      const mine = async (page: UserListPage) =>
        (await store.users.list(page)).map((u) => u.email).filter((e) => e.startsWith(prefix));
      const sorted = [...emails].sort();
      expect(await mine({ limit: 2, afterEmail: `${prefix}` })).toEqual(sorted.slice(0, 2));
      expect(await mine({ limit: 2, afterEmail: sorted[1] })).toEqual(sorted.slice(2, 4));
      expect(await mine({ limit: 1000, role: 'admin', afterEmail: prefix })).toEqual([sorted[1]]);
    });

    it('changes a role by uid, refuses to demote the last admin, and answers false for nobody', async () => {
      const admins = (await store.users.list({ limit: 1000, role: 'admin' })).map((u) => u.uid);
      for (const uid of admins.slice(1)) await store.users.setRole(uid, 'user');
      const uid = await account();
      expect(await store.users.setRole(uid, 'admin')).toBe(true);
      const [only] = (await store.users.list({ limit: 1000, role: 'admin' })).filter((u) => u.uid !== uid);
      if (only) expect(await store.users.setRole(only.uid, 'user')).toBe(true);
      await expect(store.users.setRole(uid, 'user')).rejects.toBeInstanceOf(LastAdminError);
      expect((await store.users.findByUid(uid))!.role).toBe('admin');
      expect(await store.users.setRole('no-such-uid', 'admin')).toBe(false);
    });

    it("replaces a local credential's hash, and answers false where there is none", async () => {
      const uid = randomUUID();
      const email = `${uid}@example.test`;
      await store.credentials.insertCredential({ uid, email, displayName: null, passwordHash: 'old' });
      expect(await store.credentials.updatePasswordHash(uid, 'new')).toBe(true);
      expect((await store.credentials.findCredential(email))!.passwordHash).toBe('new');
      expect(await store.credentials.updatePasswordHash('no-such-uid', 'x')).toBe(false);
    });
  });
}
