import pino from 'pino';
import request from 'supertest';
import { BusyEpisodes } from '../../api/http/error-middleware';
import { createTestApp, signedUpAdmin } from '../support/test-app';

/** Issue 31's correctness and small items: each is what a client or an operator saw go wrong. */
describe('writes and requests that were answered wrongly', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let admin: { Authorization: string };
  beforeAll(async () => {
    ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    admin = await signedUpAdmin(ctx.server);
  });
  afterAll(() => ctx.platform.close());

  it('parallel PATCHes without If-Match (or with If-Match: *) are all applied: none answers 412', async () => {
    const created = await request(ctx.server)
      .post('/animes')
      .set(admin)
      .send({ title: 'Raced', type: 'TV' })
      .expect(201);
    const id = created.body.id as number;
    const patches = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(ctx.server)
          .patch(`/animes/${id}`)
          .set(admin)
          .set(i % 2 ? { 'If-Match': '*' } : {})
          .send({ episodes: i + 1 }),
      ),
    );
    expect(patches.map((r) => r.status)).toEqual(Array(10).fill(200));
    // Each applied in some order: the versions are 2..11, each once.
    expect(patches.map((r) => r.body.version).sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 2),
    );
    const last = patches.find((r) => r.body.version === 11)!;
    const now = await request(ctx.server).get(`/animes/${id}`).expect(200);
    expect(now.body.episodes).toBe(last.body.episodes);
    // A stated version still guards: the first version is long gone.
    await request(ctx.server)
      .patch(`/animes/${id}`)
      .set(admin)
      .set('If-Match', '"1"')
      .send({ episodes: 1 })
      .expect(412);
  });

  it('the Authorization scheme is case-insensitive (RFC 9110 §11.1)', async () => {
    const token = admin.Authorization.slice('Bearer '.length);
    for (const scheme of ['bearer', 'BEARER', 'Bearer'])
      await request(ctx.server).get('/admin/users').set('Authorization', `${scheme} ${token}`).expect(200);
    await request(ctx.server).get('/admin/users').set('Authorization', `Basic ${token}`).expect(401);
  });

  it('numbers in a URL have one spelling: /animes/0x10 is a 400, not anime 16', async () => {
    await request(ctx.server).get('/animes/16').expect(200);
    for (const path of [
      '/animes/0x10',
      '/animes/016',
      '/animes/1e1',
      '/animes/+16',
      '/animes?limit=0x10',
      '/animes?minScore=7e0',
    ]) {
      const res = await request(ctx.server).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body['invalid-params'][0].reason).toMatch(/must be written in decimal digits/);
    }
    await request(ctx.server).get('/animes?minScore=7.5&limit=10').expect(200);
  });

  it('a display name with a control character is refused at sign-up, as stored text is everywhere', async () => {
    const res = await request(ctx.server)
      .post('/auth/signup')
      .send({
        email: 'crlf@example.test',
        password: 'a long enough password 1',
        displayName: 'Eve\r\nSet-Cookie: x',
      })
      .expect(400);
    expect(res.body['invalid-params'].map((p: { name: string }) => p.name)).toEqual(['body.displayName']);
    await request(ctx.server)
      .post('/auth/signup')
      .send({ email: 'plain@example.test', password: 'a long enough password 1', displayName: '  Eve  ' })
      .expect(201);
    const users = await request(ctx.server).get('/admin/users').set(admin).expect(200);
    const eve = users.body.items.find((u: { email: string }) => u.email === 'plain@example.test');
    expect(eve.displayName).toBe('Eve');
  });
});

describe('a busy store is logged once per episode, at warn, with a count', () => {
  function capture() {
    const lines: { level: number; msg: string; refused?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { logger, lines };
  }

  it('one warning when it starts, one with the count when it has been quiet; no stack', async () => {
    const { logger, lines } = capture();
    const episodes = new BusyEpisodes(logger, 50);
    for (let i = 0; i < 25; i++) episodes.record('StoreBusyError', 'the database is busy');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'StoreBusyError: answering 503 until it recovers' });
    await new Promise((r) => setTimeout(r, 120));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: 40,
      refused: 25,
      msg: 'StoreBusyError is over: 25 request(s) answered 503',
    });
    expect(JSON.stringify(lines)).not.toContain('stack');
    episodes.record('StoreBusyError', 'again');
    expect(lines).toHaveLength(3); // a new episode
    episodes.flush();
    expect(lines).toHaveLength(4);
  });
});
