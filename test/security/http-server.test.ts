import { createServer as createRawServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createHttpServer, type ServerLimits } from '../../api/http/server';
import { createLogger } from '../../platform/logger';
import { createTestApp } from '../support/test-app';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN-PAYLOAD.signature';
const PASSWORD = 'hunter2-correct-horse';

/** Every way a secret could sit in a JSON log line: as text, as a Buffer's byte list, as base64. */
function leaks(log: string, secret: string): boolean {
  const bytes = [...Buffer.from(secret)].join(',');
  return log.includes(secret) || log.includes(bytes) || log.includes(Buffer.from(secret).toString('base64'));
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chunked sign-in whose second chunk size is not hex: the parser fails with the body in hand. */
function malformedSignIn(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (data) => {
      answer += data;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
    socket.write(
      `POST /auth/signin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    // One packet, as an attacker sends it: the parser fails with headers and body in its buffer.
    const body = `{"email":"a@example.test","password":"${PASSWORD}`;
    socket.write(`${body.length.toString(16)}\r\n${body}\r\nzz\r\n"}\r\n0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 2000);
  });
}

describe('security: the HTTP server', () => {
  async function start(limits: ServerLimits = {}) {
    const lines: string[] = [];
    const logger = createLogger(
      'debug',
      new Writable({ write: (chunk, _e, done) => done(void lines.push(String(chunk))) }),
    );
    const { server: handler, store } = await createTestApp({ logger });
    const server = createHttpServer(handler, logger, limits);
    const port = await listening(server);
    return {
      port,
      log: () => lines.join(''),
      stop: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await store.close();
      },
    };
  }

  it('the raw bytes of a malformed request hold the credentials (what the test looks for)', async () => {
    let raw = '';
    const bare = createRawServer((_req, res) => res.end());
    bare.on('clientError', (error: Error & { rawPacket?: Buffer }, socket) => {
      raw = error.rawPacket?.toString() ?? '';
      socket.destroy();
    });
    await malformedSignIn(await listening(bare));
    bare.close();
    expect(raw).toContain(TOKEN);
    expect(raw).toContain(PASSWORD);
  });

  it('answers a malformed request 400 problem+json and logs it at debug level without its bytes', async () => {
    const s = await start();
    const answer = await malformedSignIn(s.port);
    await sleep(50);
    await s.stop();
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('application/problem+json');
    const log = s.log();
    expect(leaks(log, TOKEN)).toBe(false);
    expect(leaks(log, PASSWORD)).toBe(false);
    expect(log).not.toContain('rawPacket');
    const levels = log
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).level as number);
    expect(levels.every((level) => level < 50)).toBe(true);
  });

  it('closes header-trickling connections, caps them per peer, and keeps serving others (slowloris)', async () => {
    const s = await start({ headersTimeoutMs: 1000, maxConnectionsPerClient: 10 });
    const sockets: Socket[] = [];
    const ends: Promise<void>[] = [];
    for (let i = 0; i < 25; i++) {
      const socket = connect(s.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      sockets.push(socket);
      ends.push(closed(socket));
    }
    const trickle = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 200);
    try {
      await sleep(300);
      // Another peer address on loopback is served while the first one is capped.
      const other = await fetchFrom('127.0.0.2', s.port, '/health');
      expect(other).toMatch(/^HTTP\/1\.1 200/);
      const started = performance.now();
      await Promise.race([Promise.all(ends), sleep(8000)]);
      expect(sockets.filter((socket) => !socket.destroyed && !socket.closed)).toHaveLength(0);
      expect(performance.now() - started).toBeLessThan(8000);
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
      await s.stop();
    }
    expect(s.log()).toContain('this peer holds its share');
  }, 20_000);

  it('closes a connection whose body trickles past the request timeout', async () => {
    const s = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const socket = connect(s.port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (data) => {
      answer += data;
    });
    socket.write(
      'POST /auth/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      await Promise.race([closed(socket), sleep(8000)]);
      expect(socket.destroyed || socket.closed).toBe(true);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await s.stop();
    }
  }, 20_000);
});

/** One request from a chosen local address (loopback has all of 127.0.0.0/8). */
function fetchFrom(localAddress: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let answer = '';
    socket.on('data', (data) => {
      answer += data;
      if (answer.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}
