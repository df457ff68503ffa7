import request from 'supertest';
import { LocalIdentityProvider } from '../../api/adapters/local/local-identity-provider';
import { PasswordHasher } from '../../api/adapters/local/password-hash';
import { createTestApp } from '../support/test-app';

const PASSWORD = 'long enough password';

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

describe('security: a sign-in flood meets a bounded hashing queue', () => {
  const FLOOD = 30;

  /** Fires FLOOD sign-ins at once and samples how many derivations ran and waited at the same time. */
  async function flood(hasher: PasswordHasher) {
    const ctx = await createTestApp({
      identity: (store) => new LocalIdentityProvider(store.credentials, hasher),
      authRateLimits: { windowMs: 60_000, perIp: 10_000, perEmail: 10_000 },
    });
    await request(ctx.server).post('/auth/signup').send({ email: 'real@example.test', password: PASSWORD });
    await hasher.decoyHash();
    const peak = { running: 0, waiting: 0 };
    const sampler = setInterval(() => {
      peak.running = Math.max(peak.running, hasher.load.running);
      peak.waiting = Math.max(peak.waiting, hasher.load.waiting);
    }, 1);
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        request(ctx.server)
          .post('/auth/signin')
          .send({ email: `nobody-${i}@example.test`, password: 'a wrong password' }),
      ),
    );
    clearInterval(sampler);
    const legit = await request(ctx.server)
      .post('/auth/signin')
      .send({ email: 'real@example.test', password: PASSWORD });
    await ctx.store.close();
    return { answers, peak, legit };
  }

  it('runs one derivation at a time, lets four wait, and refuses the rest at once with 503 + Retry-After', async () => {
    const { answers, peak, legit } = await flood(new PasswordHasher({ concurrency: 1, maxWaiting: 4 }));
    expect(peak.running).toBe(1);
    expect(peak.waiting).toBeLessThanOrEqual(4);
    const refused = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(5);
    expect(refused.length + answers.filter((a) => a.status === 401).length).toBe(FLOOD);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(a.headers['content-type']).toBe('application/problem+json');
      expect(a.headers['retry-after']).toBe('1');
      expect(a.body.detail).toMatch(/too many sign-ins/);
    }
    expect(legit.status).toBe(200); // the queue drains; nothing stays refused
  });

  it('negative control: without the bound every derivation runs at once and none is refused', async () => {
    const { answers, peak } = await flood(
      new PasswordHasher({ concurrency: Number.POSITIVE_INFINITY, maxWaiting: Number.POSITIVE_INFINITY }),
    );
    expect(peak.running).toBeGreaterThan(4);
    expect(answers.every((a) => a.status === 401)).toBe(true);
  });
});
