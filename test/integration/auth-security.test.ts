import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { ADMIN_EMAIL, claimFirstAdmin, createTestApp, JWT_OPTIONS } from '../support/test-app';

const PASSWORD = 'long enough password';

describe('bearer tokens: everything but our own current HS256 token gets 401 and writes nothing', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let valid: string;
  let adminUid: string;
  beforeAll(async () => {
    ctx = await createTestApp();
    await request(ctx.server)
      .post('/auth/signup')
      .send({ email: ADMIN_EMAIL, password: PASSWORD })
      .expect(201);
    valid = (await request(ctx.server).post('/auth/signin').send({ email: ADMIN_EMAIL, password: PASSWORD }))
      .body.accessToken;
    adminUid = jwt.decode(valid)!.sub as string;
    await claimFirstAdmin(ctx.server, valid);
  });
  afterAll(() => ctx.store.close());

  const claims = () => ({
    email: ADMIN_EMAIL,
    role: 'admin',
    jti: 'j1',
    sid: jwt.decode(valid, { json: true })!.sid,
  });
  const sign = (options: jwt.SignOptions, secret: jwt.Secret = ctx.secret, payload: object = claims()) => {
    const expiry = 'exp' in payload || 'noExpiry' in options ? {} : { expiresIn: 600 };
    const { noExpiry: _n, ...rest } = options as jwt.SignOptions & { noExpiry?: true };
    return jwt.sign(payload, secret, { subject: adminUid, ...expiry, ...JWT_OPTIONS, ...rest });
  };
  const unsigned = () => {
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims(), sub: adminUid, iat: now, exp: now + 600, ...JWT_OPTIONS, iss: JWT_OPTIONS.issuer, aud: JWT_OPTIONS.audience })}.`;
  };
  const tampered = () => {
    const [h, p, s] = valid.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.email = 'someone-else@example.test';
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  const cases: [string, () => string | undefined][] = [
    ['alg none', unsigned],
    [
      'HS256 with another secret',
      () => sign({ algorithm: 'HS256' }, 'another-secret-that-is-long-enough-32b'),
    ],
    [
      'switched to RS256',
      () => sign({ algorithm: 'RS256' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
    ],
    ['switched to HS512', () => sign({ algorithm: 'HS512' })],
    ['expired', () => sign({ algorithm: 'HS256' }, ctx.secret, { ...claims(), exp: now() - 60 })],
    ['not yet valid', () => sign({ algorithm: 'HS256', notBefore: 120 })],
    ['without exp', () => sign({ algorithm: 'HS256', noExpiry: true } as jwt.SignOptions)],
    ['wrong aud', () => sign({ algorithm: 'HS256', audience: 'someone-else' })],
    ['wrong iss', () => sign({ algorithm: 'HS256', issuer: 'https://evil.example' })],
    ['tampered payload', tampered],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const before = (await request(ctx.server).get('/stats')).body.total;
    const res = await request(ctx.server).post('/animes').set('Authorization', `Bearer ${make()}`).send({
      sourceId: 'x-1',
      title: 'Intruder',
      type: 'TV',
      year: 2020,
      score: 1,
      episodes: 1,
      genres: [],
    });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="anime-platform"/);
    expect((await request(ctx.server).get('/stats')).body.total).toBe(before);
  });

  it.each([
    ['missing', undefined],
    ['not Bearer', 'Basic YWRtaW46YWRtaW4='],
    ['empty Bearer', 'Bearer '],
    ['malformed Bearer', 'Bearer not.a-jwt'],
  ])('a %s Authorization header', async (_name, header) => {
    const req = request(ctx.server).delete('/animes/1');
    if (header !== undefined) req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    await request(ctx.server).get('/animes/1').expect(200);
  });

  it('accepts the genuine token (so the cases above fail for the reason they name)', async () => {
    await request(ctx.server).get('/auth/me').set('Authorization', `Bearer ${valid}`).expect(200);
    await request(ctx.server)
      .get('/auth/me')
      .set('Authorization', `Bearer ${sign({ algorithm: 'HS256' })}`)
      .expect(200);
  });
});

describe('brute force', () => {
  it('answers repeated sign-ins for one email with 429 and Retry-After', async () => {
    const ctx = await createTestApp({ authRateLimits: { windowMs: 60_000, perIp: 1000, perEmail: 5 } });
    const attempt = () =>
      request(ctx.server)
        .post('/auth/signin')
        .send({ email: 'victim@example.test', password: 'guess-guess' });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    // Another email from the same address is still allowed: the per-email limit is per email.
    const other = await request(ctx.server)
      .post('/auth/signin')
      .send({ email: 'other@example.test', password: 'x' });
    expect(other.status).toBe(401);
    await ctx.store.close();
  });

  it('limits one address across many emails', async () => {
    const ctx = await createTestApp({ authRateLimits: { windowMs: 60_000, perIp: 3, perEmail: 100 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await request(ctx.server)
            .post('/auth/signin')
            .send({ email: `e${i}@example.test`, password: 'x' })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
    await ctx.store.close();
  });
});

describe('secrets in logs', () => {
  it('never writes passwords or tokens to the log, at trace level', async () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        output += chunk;
        done();
      },
    });
    const logger = createLogger('trace', sink);
    const ctx = await createTestApp({ logger });
    const password = 'Very-Secret-Password-123';
    await request(ctx.server).post('/auth/signup').send({ email: ADMIN_EMAIL, password }).expect(201);
    const token = (await request(ctx.server).post('/auth/signin').send({ email: ADMIN_EMAIL, password })).body
      .accessToken as string;
    await request(ctx.server).get('/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await request(ctx.server)
      .post('/auth/signin')
      .send({ email: ADMIN_EMAIL, password: 'wrong-password' })
      .expect(401);
    logger.info(
      { password, req: { headers: { authorization: `Bearer ${token}` } }, user: { idToken: token } },
      'probe',
    );
    expect(output).toContain('"probe"');
    expect(output).toContain('/auth/signin');
    expect(output).not.toContain(password);
    expect(output).not.toContain('wrong-password');
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split('.')[2]);
    await ctx.store.close();
  });
});

describe('signing secret configuration', () => {
  const secret = randomBytes(32).toString('base64');
  it('refuses secrets under 32 bytes', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(loadConfig({ JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
  });

  it('refuses the former alias SECRET_KEY, naming the one name, and never echoes its value', () => {
    let message = '';
    try {
      loadConfig({ SECRET_KEY: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('SECRET_KEY is no longer read: rename it to JWT_SECRET');
    expect(message).not.toContain(secret);
    expect(() => loadConfig({ SECRET_KEY: secret, JWT_SECRET: secret })).toThrow(/rename it to JWT_SECRET/);
  });

  it('refuses to start in production without a secret, or with the Auth emulator', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required in production/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099',
      }),
    ).toThrow(/FIREBASE_AUTH_EMULATOR_HOST must not be set in production/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).NODE_ENV).toBe('production');
  });
});
