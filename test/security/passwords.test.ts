import request from 'supertest';
import { LocalIdentityProvider } from '../../platform/adapters/local/local-identity-provider';
import { PasswordHasher } from '../../platform/adapters/local/password-hash';
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

describe('security: a sign-in flood meets a bounded hashing queue and a fair share per client', () => {
  const ATTACKERS = 8;
  const LEGIT_TRIES = 5;

  /**
   * ATTACKERS loops from one address keep wrong-password sign-ins in flight while a legitimate user
   * at another address signs in LEGIT_TRIES times. Addresses come from X-Forwarded-For behind one
   * trusted hop, as App Service's front end sends them.
   */
  async function flood(hasher: PasswordHasher, inFlightPerClient: number) {
    const ctx = await createTestApp({
      identity: (store) => new LocalIdentityProvider(store.credentials, hasher),
      authRateLimits: { windowMs: 60_000, perIp: 100_000, perEmail: 100_000, inFlightPerClient },
      trustedProxyHops: 1,
    });
    const from = (address: string) =>
      request(ctx.server).post('/auth/signin').set('X-Forwarded-For', address);
    await request(ctx.server).post('/auth/signup').send({ email: 'real@example.test', password: PASSWORD });
    await hasher.decoyHash();
    const peak = { running: 0, waiting: 0 };
    const sampler = setInterval(() => {
      peak.running = Math.max(peak.running, hasher.load.running);
      peak.waiting = Math.max(peak.waiting, hasher.load.waiting);
    }, 1);
    let attacking = true;
    const attackStatuses: number[] = [];
    const attackers = Array.from({ length: ATTACKERS }, async (_, i) => {
      while (attacking) {
        const res = await from('203.0.113.9').send({ email: `nobody-${i}@example.test`, password: 'wrong' });
        attackStatuses.push(res.status);
      }
    });
    await new Promise((r) => setTimeout(r, 200)); // the flood at full strength first
    const legit: { status: number; headers: Record<string, string>; body: { detail?: string } }[] = [];
    for (let i = 0; i < LEGIT_TRIES; i++)
      legit.push(await from('198.51.100.7').send({ email: 'real@example.test', password: PASSWORD }));
    attacking = false;
    await Promise.all(attackers);
    clearInterval(sampler);
    await ctx.store.close();
    return { peak, legit, attackStatuses };
  }

  it('lets one flooding address hold two checks, so a user elsewhere always gets in', async () => {
    const { peak, legit, attackStatuses } = await flood(
      new PasswordHasher({ concurrency: 1, maxWaiting: 4 }),
      2,
    );
    expect(peak.running).toBe(1);
    expect(peak.waiting).toBeLessThanOrEqual(4);
    expect(legit.map((r) => r.status)).toEqual(Array(LEGIT_TRIES).fill(200));
    const refused = attackStatuses.filter((s) => s === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(attackStatuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('negative control: without the fair share the flood fills the queue and the user is refused (503)', async () => {
    const { peak, legit } = await flood(new PasswordHasher({ concurrency: 1, maxWaiting: 4 }), 1000);
    expect(peak.waiting).toBe(4);
    const refused = legit.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body.detail).toMatch(/too many sign-ins/);
    }
  });

  it('negative control: without the queue bound every derivation runs at once', async () => {
    const unbounded = new PasswordHasher({
      concurrency: Number.POSITIVE_INFINITY,
      maxWaiting: Number.POSITIVE_INFINITY,
    });
    const { peak, legit } = await flood(unbounded, 1000);
    expect(peak.running).toBeGreaterThan(4);
    expect(legit.every((r) => r.status === 200)).toBe(true);
  });
});
