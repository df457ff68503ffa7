import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { adminToken, cannon, mixedLoad, SECONDS, type Throughput, wrk } from './load-tools';
import { type LoadtestResult, renderHtml, renderMarkdown } from './loadtest-report';
import { ROOT, seedCatalogue, startApi, startBaseline, startNginx } from './processes';
import { machine, writeSection } from './report';

const ADMIN = 'loadtest-admin@example.test';
const PASSWORD = randomBytes(12).toString('hex');
const SECRET = randomBytes(32).toString('base64url');

async function episodes(url: string): Promise<number> {
  return ((await (await fetch(url)).json()) as { episodes: number }).episodes;
}

/** Writes through one instance, then reads right after each acknowledgement through `readers`. */
async function staleProbe(writer: string, token: string, readers: Record<string, string>, writes = 20) {
  const stale: Record<string, number> = Object.fromEntries(Object.keys(readers).map((k) => [k, 0]));
  for (const base of Object.values(readers)) await episodes(`${base}/animes/11`);
  for (let n = 1; n <= writes; n++) {
    const value = 1000 + n;
    const res = await fetch(`${writer}/animes/11`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ episodes: value }),
    });
    if (!res.ok) throw new Error(`write failed: ${res.status}`);
    for (const [name, base] of Object.entries(readers))
      if ((await episodes(`${base}/animes/11`)) !== value) stale[name]!++;
  }
  return Object.entries(stale).map(([target, staleReads]) => ({ target, writes, staleReads }));
}

async function dbQueries(base: string, token: string): Promise<number> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  ).text();
  return [...text.matchAll(/^anime_db_query_duration_ms_count\{operation="(list|listAll)"\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[2]),
    0,
  );
}

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'loadtest-'));
  const redis = await RedisServer.start();
  const processes: { stop(): Promise<void> }[] = [];
  try {
    const database = await seedCatalogue(dir);
    const api = async (cache: boolean) => {
      const p = await startApi({
        database,
        redisUrl: redis.url,
        cache,
        jwtSecret: SECRET,
      });
      processes.push(p);
      return p.url;
    };
    const [a, b, off] = [await api(true), await api(true), await api(false)];
    const token = await adminToken(a, ADMIN, PASSWORD);
    const nginx = await startNginx(join(dir, 'nginx'), Number(new URL(off).port));
    processes.push(nginx);
    const allBytes = Buffer.from(await (await fetch(`${a}/animes/all`)).arrayBuffer());
    writeFileSync(join(dir, 'all.json'), allBytes);
    const bare = await startBaseline(join(dir, 'all.json'));
    processes.push(bare);

    const scenarios: LoadtestResult['scenarios'] = [];
    const run = async (group: string, name: string, measure: () => Promise<Throughput> | Throughput) => {
      const result = await measure();
      scenarios.push({ group, name, result });
      console.log(
        `${name}: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
      );
    };
    await fetch(`${a}/animes/all`);
    await fetch(`${nginx.url}/animes/all`);
    await run('list-all', 'list-all: bare node:http, same bytes (limit)', () => wrk(`${bare.url}/`));
    await run('list-all', 'list-all: ours, cache on', () => wrk(`${a}/animes/all`));
    await run('list-all', 'list-all: nginx proxy_cache over ours (cache off)', () =>
      wrk(`${nginx.url}/animes/all`),
    );
    await run('list-all', 'list-all: ours, cache off', () => wrk(`${off}/animes/all`));
    // The limit again: the machine is noisy, so the baseline is the better of two runs.
    await run('list-all', 'list-all: bare node:http, second run', () => wrk(`${bare.url}/`));
    await fetch(`${a}/animes/all?type=TV`);
    await run('by-type', 'list-all ?type=TV: ours, cache on', () => wrk(`${a}/animes/all?type=TV`));
    await run('by-type', 'list-all ?type=TV: ours, cache off', () => wrk(`${off}/animes/all?type=TV`));

    const pages: string[] = [];
    for (let next: string | null = '/animes?type=OVA&limit=50'; next && pages.length < 5; ) {
      pages.push(next);
      next = ((await (await fetch(a + next)).json()) as { next: string | null }).next;
    }
    const requests = pages.map((path) => ({ method: 'GET' as const, path }));
    await run('pages', 'pages ?type=OVA&limit=50: ours, cache on', () => cannon({ url: a, requests }));
    await run('pages', 'pages ?type=OVA&limit=50: nginx over ours (cache off)', () =>
      cannon({ url: nginx.url, requests }),
    );
    await run('pages', 'pages ?type=OVA&limit=50: ours, cache off', () => cannon({ url: off, requests }));
    // The hot path on its own: one cached small page, wrk at 32 connections (a C client, so the
    // client is not the bottleneck), against a bare node:http server sending the same bytes.
    writeFileSync(join(dir, 'page.json'), Buffer.from(await (await fetch(a + pages[0]!)).arrayBuffer()));
    const pageBare = await startBaseline(join(dir, 'page.json'));
    processes.push(pageBare);
    const local = await startApi({ database, redisUrl: '', cache: true, jwtSecret: SECRET });
    processes.push(local);
    for (const base of [a, local.url, nginx.url]) await fetch(base + pages[0]!);
    await run('page', 'page: bare node:http, same bytes (limit)', () => wrk(`${pageBare.url}/`, 32));
    await run('page', 'page: ours, Redis + L1', () => wrk(a + pages[0]!, 32));
    await run('page', 'page: ours, in-process cache', () => wrk(local.url + pages[0]!, 32));
    await run('page', 'page: nginx proxy_cache over ours (cache off)', () => wrk(nginx.url + pages[0]!, 32));
    await run('page', 'page: bare node:http, second run', () => wrk(`${pageBare.url}/`, 32));
    const etag = (await fetch(a + pages[0]!)).headers.get('etag')!;
    await run('revalidate', 'If-None-Match (304): ours', () =>
      cannon({ url: a + pages[0]!, headers: { 'if-none-match': etag } }),
    );
    await run('mix', '95% reads / 5% admin writes: ours, cache on', () => mixedLoad(a, token));
    await run('mix', '95% reads / 5% admin writes: ours, cache off', () => mixedLoad(off, token));

    const stale = await staleProbe(a, token, {
      'ours (another instance, same Redis)': b,
      'ours (the writing instance)': a,
      'nginx proxy_cache (60 s TTL)': nginx.url,
    });

    // A herd: 3 keys, 60 concurrent requests over both instances; the database queries it cost.
    const keys = ['/animes/all?type=MOVIE', '/animes/all?type=ONA', '/animes/all?type=SPECIAL'];
    const herdQueries = async () => {
      const before = (await dbQueries(a, token)) + (await dbQueries(b, token));
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          fetch(`${i % 2 ? a : b}${keys[i % keys.length]}`).then((r) => r.arrayBuffer()),
        ),
      );
      return (await dbQueries(a, token)) + (await dbQueries(b, token)) - before;
    };
    // On a cold cache...
    await fetch(`${a}/admin/cache/purge`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const databaseQueries = await herdQueries();
    // ...and with Redis not answering (paused), so every instance bypasses the cache.
    redis.cli('CLIENT', 'PAUSE', '3000', 'ALL');
    const redisPausedQueries = await herdQueries();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const herd = { keys: keys.length, requests: 60, instances: 2, databaseQueries, redisPausedQueries };
    console.log('herd', herd, 'stale', stale);

    const rps = (name: string) => scenarios.find((s) => s.name === name)!.result;
    const ours = rps('list-all: ours, cache on');
    const limit = [
      rps('list-all: bare node:http, same bytes (limit)'),
      rps('list-all: bare node:http, second run'),
    ].sort((x, y) => y.requestsPerSecond - x.requestsPerSecond)[0]!;
    const pageLimit = [
      rps('page: bare node:http, same bytes (limit)'),
      rps('page: bare node:http, second run'),
    ].sort((x, y) => y.requestsPerSecond - x.requestsPerSecond)[0]!;
    const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
    const result: LoadtestResult = {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      seconds: SECONDS,
      command: 'npm run loadtest',
      scenarios,
      ratios: [
        {
          name: 'list-all req/s: ours ÷ bare node:http (the better of its two runs)',
          value: ratio(ours.requestsPerSecond, limit.requestsPerSecond),
          target: '≥ 0.85',
        },
        {
          name: 'list-all req/s: ours ÷ nginx proxy_cache',
          value: ratio(
            ours.requestsPerSecond,
            rps('list-all: nginx proxy_cache over ours (cache off)').requestsPerSecond,
          ),
        },
        {
          name: 'list-all p50: ours ÷ nginx',
          value: ratio(ours.p50Ms, rps('list-all: nginx proxy_cache over ours (cache off)').p50Ms),
        },
        {
          name: 'list-all p99: ours ÷ nginx',
          value: ratio(ours.p99Ms, rps('list-all: nginx proxy_cache over ours (cache off)').p99Ms),
        },
        {
          name: 'list-all req/s: cache on ÷ cache off',
          value: ratio(ours.requestsPerSecond, rps('list-all: ours, cache off').requestsPerSecond),
          target: '≥ 20',
        },
        {
          name: 'page req/s (wrk): ours, Redis + L1 ÷ bare node:http (the better of its two runs)',
          value: ratio(rps('page: ours, Redis + L1').requestsPerSecond, pageLimit.requestsPerSecond),
          target: '≥ 0.5',
        },
        {
          name: 'page req/s (wrk): ours, in-process cache ÷ bare node:http',
          value: ratio(rps('page: ours, in-process cache').requestsPerSecond, pageLimit.requestsPerSecond),
          target: '≥ 0.5',
        },
        {
          name: 'page req/s (wrk): ours, Redis + L1 ÷ nginx proxy_cache',
          value: ratio(
            rps('page: ours, Redis + L1').requestsPerSecond,
            rps('page: nginx proxy_cache over ours (cache off)').requestsPerSecond,
          ),
          target: '≥ 1.0',
        },
        {
          name: 'pages req/s: ours ÷ nginx',
          value: ratio(
            rps('pages ?type=OVA&limit=50: ours, cache on').requestsPerSecond,
            rps('pages ?type=OVA&limit=50: nginx over ours (cache off)').requestsPerSecond,
          ),
        },
      ],
      stale,
      herd,
    };
    const out = join(ROOT, 'docs', 'benchmarks');
    writeFileSync(join(out, 'loadtest.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(out, 'loadtest.html'), renderHtml(result));
    writeSection('loadtest', renderMarkdown(result));
    console.log(`\n${renderMarkdown(result)}\n\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
