import { get, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { createHttpServer } from '../../api/http/server';
import { createTestApp } from '../support/test-app';

/**
 * Issue 31 §3: header-trickling connections from several addresses, each under its per-client
 * share, fill the global cap and try to hold it. The server sheds the connections that have sent
 * the least, so honest requests keep being answered; without shedding they are refused. Loopback
 * only (127.0.0.2-5 are this machine), bounded to a few seconds, every socket closed at the end.
 */
const CAP = 40;
const ATTACK_MS = 3_000;

async function underAttack(shedAtCap: boolean) {
  const ctx = await createTestApp();
  const server: Server = createHttpServer(ctx.server, pino({ level: 'silent' }), {
    maxConnections: CAP,
    maxConnectionsPerClient: 10,
    shedAtCap,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const sockets = new Set<Socket>();
  const until = Date.now() + ATTACK_MS;
  // Four attackers, ten trickling connections each (the whole cap), reconnecting when dropped.
  const trickle = (address: string) => {
    if (Date.now() >= until) return;
    const socket = connect({ host: '127.0.0.1', port, localAddress: address });
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('connect', () => socket.write('GET /animes HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    const drip = setInterval(() => socket.writable && socket.write('a'), 300);
    socket.once('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
      setTimeout(() => trickle(address), 20);
    });
  };
  for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'])
    for (let i = 0; i < 10; i++) trickle(address);
  await new Promise((r) => setTimeout(r, 500)); // the cap is full
  const outcomes: { ok: boolean; ms: number }[] = [];
  while (Date.now() < until) {
    const started = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const req = get(
        { host: '127.0.0.1', port, path: '/animes?limit=1', agent: false, timeout: 2_000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
    outcomes.push({ ok, ms: performance.now() - started });
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await ctx.platform.close();
  return outcomes;
}

describe('a flood of slow connections at the cap', () => {
  it('sheds the connections that sent the least: every honest request is answered', async () => {
    const outcomes = await underAttack(true);
    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  }, 20_000);

  it("negative control: refusing newcomers at the cap (Node's own maxConnections) locks honest clients out", async () => {
    const outcomes = await underAttack(false);
    expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThan(outcomes.length / 2);
  }, 20_000);
});

describe('silent connections', () => {
  it('a connection that completes no request within the first-request timeout is closed', async () => {
    const ctx = await createTestApp();
    const server = createHttpServer(ctx.server, pino({ level: 'silent' }), { firstRequestTimeoutMs: 200 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket = connect({ host: '127.0.0.1', port });
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('error', () => undefined);
      socket.once('close', () => resolve(Date.now() - started));
    });
    expect(closedAfter).toBeLessThan(5_000); // not the 20 s header timeout
    await new Promise((resolve) => server.close(resolve));
    await ctx.platform.close();
  });
});

describe('a share of requests in progress per client (where every connection is the proxy)', () => {
  it('refuses a client its third request in progress with 503, keyed on the forwarded address', async () => {
    const Koa = (await import('koa')).default;
    const request = (await import('supertest')).default;
    const { inFlightShare } = await import('../../api/http/in-flight');
    const { errorMiddleware } = await import('../../api/http/error-middleware');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const app = new Koa({ proxy: true, maxIpsCount: 1 });
    app.use(errorMiddleware(pino({ level: 'silent' })));
    app.use(inFlightShare(2));
    app.use(async (ctx) => {
      await gate;
      ctx.body = 'ok';
    });
    const server = app.callback();
    const from = (client: string) => request(server).get('/x').set('X-Forwarded-For', client);
    const held = [from('203.0.113.9'), from('203.0.113.9')].map((r) => r.then((res) => res.status));
    await new Promise((r) => setTimeout(r, 50));
    const third = await from('203.0.113.9');
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    release();
    // Another client, and the same one once its requests finish, go on.
    expect(await Promise.all(held)).toEqual([200, 200]);
    expect((await from('203.0.113.10')).status).toBe(200);
    expect((await from('203.0.113.9')).status).toBe(200);
  });
});
