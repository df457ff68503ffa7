import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { createTestApp } from '../support/test-app';

const LOCK_HELD_MS = 3000;
const HEALTH_EVERY_MS = 50;
const PASSWORD = 'long enough password';

/** Another process's writer, as an ETL load is: it takes SQLite's write lock and sits on it. */
function holdWriteLock(file: string, ms: number): Promise<void> {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  return new Promise((resolve) =>
    setTimeout(() => {
      other.exec('ROLLBACK');
      other.close();
      resolve();
    }, ms),
  );
}

/** /health latencies sampled until `until` settles: what a load balancer's probe would see. */
async function probeHealth(port: number, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  while (!done) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
  }
  return latencies;
}

describe('security: a busy database does not freeze the instance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'busy-db-'));
  const file = join(dir, 'anime.db');
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const store = openSqliteCatalogueStore({ DATABASE_PATH: file, SQLITE_BUSY_TIMEOUT_MS: 5000 });
    // Five sign-ups from one address at once: lift the per-client fair share, which is not under test.
    ctx = await createTestApp({
      store,
      authRateLimits: { windowMs: 60_000, perIp: 1000, perEmail: 1000, inFlightPerClient: 10 },
    });
    server = createServer(ctx.server).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    // Warm: the first requests after a start pay for lazy compilation and the first collection of
    // the start's garbage (a readiness probe passes first in production). What is under test is
    // the lock, not a cold start.
    await fetch(`http://127.0.0.1:${port}/health`);
    await fetch(`http://127.0.0.1:${port}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'warm-up@example.test', password: PASSWORD }),
    });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await ctx.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps /health under 100 ms while account writes wait 3 s for the lock, then writes them', async () => {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const released = holdWriteLock(file, LOCK_HELD_MS);
    const signUps = Array.from({ length: 5 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `waiting-${i}@example.test`, password: PASSWORD }),
      }).then((res) => ({ status: res.status, at: performance.now() })),
    );
    const latencies = await probeHealth(port, released);
    const releasedAt = performance.now();
    const answers = await Promise.all(signUps);
    loop.disable();

    expect(latencies.length).toBeGreaterThan(LOCK_HELD_MS / (HEALTH_EVERY_MS + 100));
    expect(Math.max(...latencies)).toBeLessThan(100);
    expect(loop.max / 1e6).toBeLessThan(100);
    // They waited off the event loop and went through once the lock was free: no 503, nothing lost.
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    for (const answer of answers) expect(answer.at).toBeGreaterThanOrEqual(releasedAt - HEALTH_EVERY_MS * 3);
  });

  it('negative control: a write that waits in SQLite busy_timeout freezes /health for the wait', async () => {
    const released = holdWriteLock(file, 1500);
    const blocking = new Database(file);
    blocking.pragma('busy_timeout = 1000');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    await new Promise((r) => setTimeout(r, 50)); // the monitor's first samples set its baseline
    const started = performance.now();
    const health = fetch(`http://127.0.0.1:${port}/health`).then(() => performance.now() - started);
    // The old write path: SQLite's own wait, inside a synchronous call on the event loop.
    expect(() => blocking.prepare("INSERT INTO genres (name) VALUES ('blocked')").run()).toThrow(/locked/);
    blocking.close();
    expect(await health).toBeGreaterThan(900);
    await new Promise((r) => setTimeout(r, 50));
    loop.disable();
    expect(loop.max / 1e6).toBeGreaterThan(900);
    await released;
  });
});
