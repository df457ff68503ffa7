import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from '../support/cli';
import { describeIf } from '../support/real-component';
import { freePort, hasRedis, RedisServer } from '../support/redis-server';

interface Answer {
  status: number;
  body: string;
}

/** One request on a connection of its own, so the cluster's primary hands each to the next worker. */
function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  return new Promise<Answer>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The PIDs of `parent`'s worker processes (children running api/main.ts; tsx has one of its own), from /proc. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The field after the parenthesized name: state, then the parent's PID.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) return false;
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('api/main.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('WEB_CONCURRENCY above 1 without Redis', () => {
  it('is refused at start, naming both settings', async () => {
    const child = spawnTs('api/main.ts', [], {
      WEB_CONCURRENCY: '2',
      REDIS_URL: '',
      DATABASE_PATH: ':memory:',
    });
    let output = '';
    child.stderr!.on('data', (c) => {
      output += c;
    });
    expect(await exited(child)).toBe(1);
    expect(output).toMatch(/WEB_CONCURRENCY=2 needs REDIS_URL/);
  });
});

describeIf(hasRedis)('the API as a cluster of workers (WEB_CONCURRENCY=2, a real Redis)', () => {
  let redis: RedisServer;
  let dir: string;
  let port: number;
  let primary: ChildProcess;
  let output = '';

  beforeAll(async () => {
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'anime-workers-'));
    port = await freePort();
    primary = spawnTs('api/main.ts', [], {
      WEB_CONCURRENCY: '2',
      REDIS_URL: redis.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'anime.db'),
      SEED_FILE: join(dir, 'animes.csv'),
      SEED_ROWS: '300',
      LOG_LEVEL: 'info',
      // No JWT_SECRET and no bootstrap token: the primary must make one of each for both workers.
      JWT_SECRET: '',
      ADMIN_BOOTSTRAP_TOKEN: '',
      SHUTDOWN_TIMEOUT_MS: '5000',
      APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    });
    primary.stdout!.on('data', (c) => {
      output += c;
    });
    primary.stderr!.on('data', (c) => {
      output += c;
    });
    for (let i = 0; i < 300 && childrenOf(primary.pid!).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 300; i++) {
      if (primary.exitCode !== null) throw new Error(`the API exited: ${output}`);
      const ready = await call(port, 'GET', '/ready').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready && (output.match(/anime API listening/g) ?? []).length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (primary.exitCode === null) {
      primary.kill('SIGKILL');
      await exited(primary);
    }
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The workers that answered `count` fresh connections, by the PID on their access-log lines. */
  async function answeringWorkers(count: number): Promise<Set<number>> {
    const from = output.length;
    for (let i = 0; i < count; i++) expect((await call(port, 'GET', '/animes?limit=2')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    const pids = output
      .slice(from)
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => (JSON.parse(line) as { pid: number }).pid);
    return new Set(pids);
  }

  it('serves the one port from two worker processes, seeded once', async () => {
    const workers = childrenOf(primary.pid!);
    expect(workers).toHaveLength(2);
    expect([...(await answeringWorkers(12))].sort()).toEqual([...workers].sort());
    expect(output.match(/loaded the dataset/g)).toHaveLength(1);
  });

  it('shares one secret and one bootstrap token, and no worker reads its stale cache after a write on another', async () => {
    const token = /"token":"([A-Za-z0-9_-]{43})"/.exec(output)?.[1];
    expect(token).toBeDefined();
    expect(output.match(/First admin:/g)).toHaveLength(1);
    const account = { email: 'cluster-admin@example.test', password: 'a long enough passphrase 1' };
    expect((await call(port, 'POST', '/auth/signup', {}, account)).status).toBe(201);
    // Signed in on one worker, the token is taken by whichever worker gets each next connection.
    const signIn = JSON.parse((await call(port, 'POST', '/auth/signin', {}, account)).body) as {
      accessToken: string;
    };
    const auth = { authorization: `Bearer ${signIn.accessToken}` };
    expect((await call(port, 'POST', '/auth/admin-bootstrap', auth, { token })).status).toBe(200);
    for (let n = 1; n <= 4; n++) {
      // Every worker holds the record in its L1 before the write.
      for (let i = 0; i < 4; i++) await call(port, 'GET', '/animes/1');
      const current = JSON.parse((await call(port, 'GET', '/animes/1')).body) as { version: number };
      const patched = await call(
        port,
        'PATCH',
        '/animes/1',
        { ...auth, 'if-match': `"1.${current.version}"` },
        { episodes: 500 + n },
      );
      expect(patched.status).toBe(200);
      for (let i = 0; i < 6; i++) {
        const read = JSON.parse((await call(port, 'GET', '/animes/1')).body) as { episodes: number };
        expect(read.episodes).toBe(500 + n);
      }
    }
  }, 60_000);

  it('replaces a worker that dies, and stops every worker on SIGTERM within the shutdown budget', async () => {
    const [victim, survivor] = childrenOf(primary.pid!);
    // A worker that dies right after its start is not replaced (a crash loop); these ran long enough.
    await new Promise((r) => setTimeout(r, 5000));
    process.kill(victim!, 'SIGKILL');
    for (let i = 0; i < 100 && !childrenOf(primary.pid!).some((p) => p !== survivor); i++)
      await new Promise((r) => setTimeout(r, 100));
    const replaced = childrenOf(primary.pid!);
    expect(replaced).toHaveLength(2);
    expect(replaced).toContain(survivor);
    expect(replaced).not.toContain(victim);
    for (let i = 0; i < 100 && (await answeringWorkers(6)).size < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    primary.kill('SIGTERM');
    // 0, not the 1 of the pool's forced exit a second past SHUTDOWN_TIMEOUT_MS: every worker drained.
    expect(await exited(primary)).toBe(0);
    expect(replaced.filter((pid) => existsProcess(pid))).toEqual([]);
  }, 60_000);
});

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
