import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CatalogueStore } from '../../composition/catalogue-store';
import { FirebaseIdentityProvider } from '../../platform/adapters/firebase/firebase-identity-provider';
import type { IdentityProvider } from '../../platform/core/ports/identity-provider';
import { hasFirebaseEmulator, useFirebaseEmulator } from '../support/firebase-emulator';
import { describeIf } from '../support/real-component';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, signedUpAdmin } from '../support/test-app';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const PASSWORD = 'long enough password';
const newEmail = () => `s-${randomUUID().slice(0, 8)}@example.test`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Sessions, passwords and user administration over HTTP; run once per identity provider. */
function describeSessionFlows(
  name: string,
  identity: () => ((store: CatalogueStore) => IdentityProvider) | undefined,
  reset: () => Promise<void> = async () => undefined,
) {
  describe(`sessions and user administration: ${name}`, () => {
    let ctx: TestApp;
    let admin: { Authorization: string };
    beforeAll(async () => {
      await reset();
      ctx = await createTestApp({ identity: identity() });
      admin = await signedUpAdmin(ctx.server, ADMIN_EMAIL, ADMIN_PASSWORD);
    });
    afterAll(() => ctx?.platform.close());

    const signIn = (email: string, password = PASSWORD) =>
      request(ctx.server).post('/auth/signin').send({ email, password });
    const signedUp = async (email = newEmail()) => {
      await request(ctx.server).post('/auth/signup').send({ email, password: PASSWORD }).expect(201);
      return { email, session: (await signIn(email).expect(200)).body };
    };
    const me = (token: string) => request(ctx.server).get('/auth/me').set(bearer(token));
    const refresh = (refreshToken: string) =>
      request(ctx.server).post('/auth/refresh').send({ refreshToken });

    it('signs in with an access token and a refresh token, and refreshes by rotating it', async () => {
      const { session } = await signedUp();
      expect(session).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\.[\w-]{43}$/),
        refreshExpiresIn: 30 * 24 * 3600,
      });
      const renewed = (await refresh(session.refreshToken).expect(200)).body;
      expect(renewed.refreshToken).not.toBe(session.refreshToken);
      expect(renewed.refreshToken.split('.')[0]).toBe(session.refreshToken.split('.')[0]);
      expect(renewed.refreshExpiresIn).toBeLessThanOrEqual(session.refreshExpiresIn);
      await me(renewed.accessToken).expect(200);
      await me(session.accessToken).expect(200); // the session lives: its earlier access token too
      const again = (await refresh(renewed.refreshToken).expect(200)).body;
      await me(again.accessToken).expect(200);
    });

    it('revokes the whole session when a spent refresh token comes back (a copy is in use)', async () => {
      const { session } = await signedUp();
      const legit = (await refresh(session.refreshToken).expect(200)).body;
      const replay = await refresh(session.refreshToken).expect(401);
      expect(replay.headers['content-type']).toBe('application/problem+json');
      expect(replay.body.detail).toMatch(/already used/);
      // Both holders are out: the thief's replay and the owner's current tokens alike.
      await refresh(legit.refreshToken).expect(401);
      await me(legit.accessToken).expect(401);
    });

    it('refuses malformed, forged and unknown refresh tokens with 401, revoking nothing', async () => {
      const { session } = await signedUp();
      const [id] = session.refreshToken.split('.');
      for (const token of ['nonsense', `${id}.${'A'.repeat(43)}`, `${randomUUID()}.${'B'.repeat(43)}`])
        await refresh(token).expect(401);
      await me(session.accessToken).expect(200);
      await refresh(session.refreshToken).expect(200);
    });

    it('signs out: that session ends at once, access and refresh tokens both; other sessions live on', async () => {
      const { email, session: laptop } = await signedUp();
      const phone = (await signIn(email).expect(200)).body;
      // No body at all is the common call.
      await request(ctx.server).post('/auth/signout').set(bearer(laptop.accessToken)).expect(204);
      await me(laptop.accessToken).expect(401);
      await refresh(laptop.refreshToken).expect(401);
      await me(phone.accessToken).expect(200);
      await request(ctx.server)
        .post('/auth/signout')
        .set(bearer(phone.accessToken))
        .send({ everywhere: true })
        .expect(204);
      await me(phone.accessToken).expect(401);
      await refresh(phone.refreshToken).expect(401);
      await signIn(email).expect(200); // signing out is not locking out
    });

    it('changes the password: the wrong current one is 403, a weak new one 400, and other sessions end', async () => {
      const { email, session: here } = await signedUp();
      const elsewhere = (await signIn(email).expect(200)).body;
      const change = (body: object) =>
        request(ctx.server).post('/auth/password').set(bearer(here.accessToken)).send(body);
      const wrong = await change({
        currentPassword: 'not it at all',
        newPassword: 'another fine passphrase',
      });
      expect([wrong.status, wrong.body.detail]).toEqual([403, 'the current password is wrong']);
      const weak = await change({ currentPassword: PASSWORD, newPassword: 'password123' });
      expect(weak.status).toBe(400);
      await me(elsewhere.accessToken).expect(200); // refused changes end nothing
      await change({ currentPassword: PASSWORD, newPassword: 'another fine passphrase' }).expect(204);
      await me(elsewhere.accessToken).expect(401);
      await refresh(elsewhere.refreshToken).expect(401);
      await me(here.accessToken).expect(200);
      await refresh(here.refreshToken).expect(200);
      await signIn(email).expect(401);
      await signIn(email, 'another fine passphrase').expect(200);
    });

    it('lets admins list accounts in pages and by role; nobody else (401, 403)', async () => {
      const prefix = `page-${randomUUID().slice(0, 6)}`;
      for (const x of ['a', 'b', 'c']) await signedUp(`${prefix}-${x}@example.test`);
      const user = (await signedUp()).session;
      await request(ctx.server).get('/admin/users').expect(401);
      await request(ctx.server).get('/admin/users').set(bearer(user.accessToken)).expect(403);
      const seen: string[] = [];
      let next: string | null = '/admin/users?limit=2';
      while (next) {
        const page: request.Response = await request(ctx.server).get(next).set(admin).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((u: { email: string }) => u.email));
        next = page.body.next;
      }
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((e) => e.startsWith(prefix))).toHaveLength(3);
      const admins = await request(ctx.server).get('/admin/users?role=admin').set(admin).expect(200);
      expect(admins.body.items.map((u: { email: string }) => u.email)).toEqual([ADMIN_EMAIL]);
      const forged = await request(ctx.server).get('/admin/users?cursor=bm9wZQ').set(admin).expect(400);
      expect(forged.body['invalid-params']).toEqual([expect.objectContaining({ name: 'cursor' })]);
    });

    it("changes roles: effective on the account's next request, 404 for nobody, the last admin stays", async () => {
      const { session } = await signedUp();
      const uid = (await me(session.accessToken).expect(200)).body.uid;
      const promote = await request(ctx.server)
        .patch(`/admin/users/${uid}`)
        .set(admin)
        .send({ role: 'admin' })
        .expect(200);
      expect(promote.body).toMatchObject({ uid, role: 'admin' });
      // The same token, issued while a user, now passes an admin route.
      await request(ctx.server).get('/admin/users').set(bearer(session.accessToken)).expect(200);
      await request(ctx.server).patch(`/admin/users/${uid}`).set(admin).send({ role: 'user' }).expect(200);
      await request(ctx.server).get('/admin/users').set(bearer(session.accessToken)).expect(403);
      await request(ctx.server).patch('/admin/users/nobody').set(admin).send({ role: 'user' }).expect(404);
      await request(ctx.server).patch(`/admin/users/${uid}`).set(admin).send({ role: 'root' }).expect(400);
      const self = (await me(admin.Authorization.slice(7)).expect(200)).body.uid;
      const last = await request(ctx.server)
        .patch(`/admin/users/${self}`)
        .set(admin)
        .send({ role: 'user' })
        .expect(409);
      expect(last.body.detail).toMatch(/last admin/);
      await request(ctx.server).get('/admin/users').set(admin).expect(200);
    });
  });
}

describeSessionFlows('local identity provider', () => undefined);

describeIf(hasFirebaseEmulator())('with the real Firebase Auth emulator', () => {
  const emulator = useFirebaseEmulator();
  describeSessionFlows(
    'firebase identity provider',
    () => () =>
      new FirebaseIdentityProvider({
        projectId: emulator().projectId,
        apiKey: 'emulator-key',
        allowEmulator: true,
      }),
    () => emulator().reset(),
  );
});
