import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CatalogueStore } from '../../composition/catalogue-store';
import { FirebaseIdentityProvider } from '../../platform/adapters/firebase/firebase-identity-provider';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { hasFirebaseEmulator, useFirebaseEmulator } from '../support/firebase-emulator';
import { describeIf } from '../support/real-component';
import { ADMIN_EMAIL, createTestApp, signedUpAdmin } from '../support/test-app';

type Server = Awaited<ReturnType<typeof createTestApp>>['server'];

const PASSWORD = 'long enough password';
const newEmail = () => `u-${randomUUID().slice(0, 8)}@example.test`;

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

async function signUpAndIn(server: Server, email: string, password = PASSWORD) {
  await request(server).post('/auth/signup').send({ email, password }).expect(201);
  const res = await request(server).post('/auth/signin').send({ email, password }).expect(200);
  return res.body.accessToken as string;
}

/** Sign-up, sign-in, me and the admin flows; run once per identity provider. */
function describeAccountFlows(
  name: string,
  identity: () =>
    | ((store: CatalogueStore) => import('../../platform/core/ports/identity-provider').IdentityProvider)
    | undefined,
  reset: () => Promise<void> = async () => undefined,
) {
  describe(`accounts and admin writes: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof createTestApp>>;
    let admin: { Authorization: string };
    beforeAll(async () => {
      await reset();
      ctx = await createTestApp({
        identity: identity(),
        cache: new ReadThroughCache(new MemoryCacheStore()),
      });
      admin = await signedUpAdmin(ctx.server, ADMIN_EMAIL, PASSWORD);
    });
    afterAll(() => ctx?.store.close());

    it('signs up (201, role user), refuses a duplicate email in any case (409), and validates (400)', async () => {
      const email = newEmail();
      const res = await request(ctx.server)
        .post('/auth/signup')
        .send({ email, password: PASSWORD, displayName: 'Ann' })
        .expect(201);
      expect(res.body).toMatchObject({ email, role: 'user', displayName: 'Ann', uid: expect.any(String) });
      expect(res.headers.location).toBe('/auth/me');
      const dup = await request(ctx.server)
        .post('/auth/signup')
        .send({ email: email.toUpperCase(), password: PASSWORD })
        .expect(409);
      expect(dup.headers['content-type']).toMatch(/application\/problem\+json/);
      const bad = await request(ctx.server)
        .post('/auth/signup')
        .send({ email: 'not-an-email', password: 'short' });
      expect(bad.status).toBe(400);
      expect(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual([
        'body.email',
        'body.password',
      ]);
    });

    it('signs in with a short-lived HS256 token carrying sub, email, role, iat, exp, iss, aud, jti', async () => {
      const email = newEmail();
      const token = await signUpAndIn(ctx.server, email);
      const [header] = token.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString()).alg).toBe('HS256');
      const claims = claimsOf(token);
      expect(claims).toMatchObject({ email, role: 'user', iss: 'anime-platform', aud: 'anime-platform-api' });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
      expect(claims.jti).toEqual(expect.any(String));
      const me = await request(ctx.server)
        .get('/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body).toMatchObject({ email, role: 'user', uid: claims.sub });
      expect(me.headers['cache-control']).toBe('private, no-store');
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const email = newEmail();
      await request(ctx.server).post('/auth/signup').send({ email, password: PASSWORD }).expect(201);
      const wrong = await request(ctx.server)
        .post('/auth/signin')
        .send({ email, password: 'wrong password' });
      const unknown = await request(ctx.server)
        .post('/auth/signin')
        .send({ email: newEmail(), password: PASSWORD });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('refuses writes to non-admins with 403 and writes nothing', async () => {
      const token = await signUpAndIn(ctx.server, newEmail());
      const before = (await request(ctx.server).get('/stats')).body.total;
      const res = await request(ctx.server)
        .post('/animes')
        .set('Authorization', `Bearer ${token}`)
        .send(newAnime());
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect((await request(ctx.server).get('/stats')).body.total).toBe(before);
    });

    it('lets admins create, replace, patch and delete; every cached read changes right after', async () => {
      const auth = admin;
      const list = '/animes/all?type=MUSIC';
      await request(ctx.server).get(list).expect(200);
      expect((await request(ctx.server).get(list)).headers['x-cache']).toBe('HIT');

      const created = await request(ctx.server).post('/animes').set(auth).send(newAnime()).expect(201);
      const id = created.body.id as number;
      expect(created.headers.location).toBe(`/animes/${id}`);
      expect(created.body.source).toBe('api'); // a create without a source is the API's own
      expect((await request(ctx.server).get(list)).body.map((a: { id: number }) => a.id)).toContain(id);
      await request(ctx.server).get(`/animes/${id}`).expect(200);

      const { id: _i, version, createdAt: _c, updatedAt: _u, ...input } = created.body;
      await request(ctx.server)
        .put(`/animes/${id}`)
        .set(auth)
        .set('If-Match', '"999"')
        .send(input)
        .expect(412);
      const { source: _s, ...withoutSource } = input;
      const replaced = await request(ctx.server)
        .put(`/animes/${id}`)
        .set(auth)
        .set('If-Match', `"${version}"`)
        .send({ ...withoutSource, type: 'OVA', title: 'Replaced title' })
        .expect(200);
      expect(replaced.body.version).toBe(version + 1);
      expect(replaced.body.source).toBe('api'); // a replacement without a source keeps the row's
      // The type changed: the old type's list and the new type's list both see it at once.
      expect((await request(ctx.server).get(list)).body.map((a: { id: number }) => a.id)).not.toContain(id);
      const ovas = (await request(ctx.server).get('/animes/all?type=OVA')).body;
      expect(ovas.find((a: { id: number }) => a.id === id).title).toBe('Replaced title');

      const patched = await request(ctx.server)
        .patch(`/animes/${id}`)
        .set(auth)
        .send({ score: 9.5 })
        .expect(200);
      expect(patched.body).toMatchObject({ score: 9.5, title: 'Replaced title', version: version + 2 });
      expect((await request(ctx.server).get(`/animes/${id}`)).body.score).toBe(9.5);

      await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({ ...newAnime(), sourceId: input.sourceId })
        .expect(409);
      // The same id under another source is another row.
      const twin = await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({ ...newAnime(), source: 'kaggle', sourceId: input.sourceId })
        .expect(201);
      expect(twin.body).toMatchObject({ source: 'kaggle', sourceId: input.sourceId });
      await request(ctx.server).delete(`/animes/${twin.body.id}`).set(auth).expect(204);
      await request(ctx.server).delete(`/animes/${id}`).set(auth).set('If-Match', '"1"').expect(412);
      await request(ctx.server).delete(`/animes/${id}`).set(auth).expect(204);
      await request(ctx.server).get(`/animes/${id}`).expect(404);
      await request(ctx.server).delete(`/animes/${id}`).set(auth).expect(404);
    });

    it('stops honouring the tokens of a deleted account', async () => {
      const token = await signUpAndIn(ctx.server, newEmail());
      await request(ctx.server).delete('/auth/me').set('Authorization', `Bearer ${token}`).expect(204);
      const res = await request(ctx.server).get('/auth/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('invalid_token');
    });
  });
}

let sourceSeq = 0;
function newAnime() {
  sourceSeq += 1;
  return {
    sourceId: `auth-test-${randomUUID().slice(0, 8)}-${sourceSeq}`,
    title: 'A new anime',
    type: 'MUSIC',
    year: 2024,
    score: 7.1,
    episodes: 1,
    genres: ['Music'],
  };
}

describeAccountFlows('local identity provider', () => undefined);

describeIf(hasFirebaseEmulator())('with the real Firebase Auth emulator', () => {
  const emulator = useFirebaseEmulator();

  const firebase = () => () =>
    new FirebaseIdentityProvider({
      projectId: emulator().projectId,
      apiKey: 'emulator-key',
      allowEmulator: true,
    });
  describeAccountFlows('firebase identity provider', firebase, () => emulator().reset());

  it('exchanges a client ID token for our access token, and mirrors the admin role as a claim', async () => {
    const ctx = await createTestApp({ identity: firebase() });
    const signInOnEmulator = (email: string) => emulator().clientIdToken(email, PASSWORD);
    // A user created by a client SDK, unknown to our table until the exchange.
    const email = newEmail();
    await fetch(`http://${emulator().host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=k`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const exchanged = await request(ctx.server)
      .post('/auth/token')
      .send({ idToken: await signInOnEmulator(email) })
      .expect(200);
    await request(ctx.server)
      .get('/auth/me')
      .set('Authorization', `Bearer ${exchanged.body.accessToken}`)
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ email, role: 'user' }));
    await request(ctx.server).post('/auth/token').send({ idToken: 'a.b.c' }).expect(401);

    await emulator().reset();
    await signedUpAdmin(ctx.server, ADMIN_EMAIL, PASSWORD);
    expect(claimsOf(await signInOnEmulator(ADMIN_EMAIL)).role).toBe('admin');
    await ctx.store.close();
  });
});
