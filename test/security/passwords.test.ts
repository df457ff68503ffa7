import request from 'supertest';
import { createTestApp } from '../support/test-app';

describe('security: passwords', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.store.close());

  let n = 0;
  const signUp = (password: string, email = `user-${++n}@example.test`) =>
    request(ctx.server).post('/auth/signup').send({ email, password });

  it.each([['password'], ['12345678'], ['        '], ['qwertyuiop'], ['iloveyou1'], ['Password123']])(
    'refuses %j as too easy to guess, with a 400 problem that says why',
    async (password) => {
      const res = await signUp(password).expect(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body.detail).toMatch(/too easy to guess/);
    },
  );

  it("refuses a password made of the account's own email", async () => {
    await signUp('ann.smith1', 'ann.smith@example.test').expect(400);
    await signUp('ann.smith1', 'someone.else@example.test').expect(201); // the same password, elsewhere
  });

  it('accepts long and varied passwords (the negative control)', async () => {
    await signUp('long enough password').expect(201);
    await signUp('t7#Vq9!pL2@xR4').expect(201);
  });

  it('hashes the NFKC form: a full-width spelling signs in as its ASCII twin', async () => {
    const email = 'unicode@example.test';
    await signUp('ｌｏｎｇ ｅｎｏｕｇｈ ｐａｓｓｗｏｒｄ', email).expect(201);
    await request(ctx.server)
      .post('/auth/signin')
      .send({ email, password: 'long enough password' })
      .expect(200);
  });

  it('refuses passwords over 128 characters before any hashing', async () => {
    const res = await signUp('x'.repeat(129)).expect(400);
    expect(res.body['invalid-params'].map((p: { name: string }) => p.name)).toContain('body.password');
  });
});
