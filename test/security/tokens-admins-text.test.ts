import jwt from 'jsonwebtoken';
import request from 'supertest';
import { ADMIN_EMAIL, claimFirstAdmin, createTestApp, JWT_OPTIONS } from '../support/test-app';

const PASSWORD = 'long enough password';

async function signedUp(ctx: Awaited<ReturnType<typeof createTestApp>>, email: string) {
  await request(ctx.server).post('/auth/signup').send({ email, password: PASSWORD }).expect(201);
  const token = (await request(ctx.server).post('/auth/signin').send({ email, password: PASSWORD })).body
    .accessToken as string;
  return { token, uid: jwt.decode(token)!.sub as string };
}

describe('security: token lifetime, the last admin, control characters in stored text', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let admin: { token: string; uid: string };
  beforeAll(async () => {
    ctx = await createTestApp();
    admin = await signedUp(ctx, ADMIN_EMAIL);
    await claimFirstAdmin(ctx.server, admin.token);
  });
  afterAll(() => ctx.store.close());

  const me = (token: string) => request(ctx.server).get('/auth/me').set('Authorization', `Bearer ${token}`);

  it('refuses a token signed with our secret that lives longer than the access-token TTL', async () => {
    const sign = (expiresIn: number) =>
      jwt.sign(
        { email: ADMIN_EMAIL, role: 'admin', sid: jwt.decode(admin.token, { json: true })!.sid },
        ctx.secret,
        {
          algorithm: 'HS256',
          subject: admin.uid,
          jwtid: 'j-lifetime',
          expiresIn,
          ...JWT_OPTIONS,
        },
      );
    await me(sign(900)).expect(200); // the negative control: the TTL itself is fine
    const tenYears = await me(sign(10 * 365 * 24 * 3600)).expect(401);
    expect(tenYears.headers['content-type']).toBe('application/problem+json');
    await me(sign(900 + 60)).expect(401);
  });

  it('refuses to delete the last admin (409), and allows it once another admin exists', async () => {
    const refused = await request(ctx.server)
      .delete('/auth/me')
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(409);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body.detail).toMatch(/last admin/);
    await me(admin.token).expect(200); // still there
    // Nor can the last admin be demoted.
    await expect(ctx.store.users.setRole(admin.uid, 'user')).rejects.toThrow(/last admin/);
    const other = await signedUp(ctx, 'second-admin@example.test');
    await ctx.accounts.grantRole('second-admin@example.test', 'admin');
    await request(ctx.server).delete('/auth/me').set('Authorization', `Bearer ${admin.token}`).expect(204);
    await me(admin.token).expect(401);
    await request(ctx.server).delete('/auth/me').set('Authorization', `Bearer ${other.token}`).expect(409);
    admin = other;
  });

  it.each([
    ['title', { title: 'before\u0000after' }],
    ['title', { title: 'line\nbreak' }],
    ['title', { title: 'c1\u0085control' }],
    ['sourceId', { sourceId: 'id\u0007' }],
    ['genres', { genres: ['Act\u0001ion'] }],
  ])('refuses a control character in %s with a 400 naming it', async (field, change) => {
    const body = {
      sourceId: 'sec-text',
      title: 'Text',
      type: 'TV',
      year: 2001,
      score: 7,
      episodes: 1,
      genres: [],
      ...change,
    };
    const res = await request(ctx.server)
      .post('/animes')
      .set('Authorization', `Bearer ${admin.token}`)
      .send(body)
      .expect(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const names: string[] = res.body['invalid-params'].map((p: { name: string }) => p.name);
    expect(names.map((name) => name.split('.')[1])).toContain(field); // body.title, body.genres.0
  });

  it('accepts ordinary text, CJK and punctuation included', async () => {
    await request(ctx.server)
      .post('/animes')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({
        sourceId: 'sec-text-ok',
        title: "進撃の巨人: O'Brien 100%",
        type: 'TV',
        year: 2001,
        score: 7,
        episodes: 1,
        genres: ['Sci-Fi'],
      })
      .expect(201);
  });
});
