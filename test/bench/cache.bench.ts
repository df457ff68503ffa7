import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { createRedisClient, redisReady } from '../../platform/adapters/redis/redis-client';
import { RedisServer } from '../support/redis-server';
import { adminToken, cannon, mixedLoad, SECONDS, type Throughput, wrk } from './load-tools';
import { type BenchProcess, ROOT, seedCatalogue, startApi, startBaseline } from './processes';
import { machine, round, writeSection } from './report';
import { staleReadComparison } from './stale-race';
import { type WriteLatency, writeLatency } from './write-latency';

const ADMIN = 'bench-admin@example.test';
const PASSWORD = randomBytes(12).toString('hex');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const redis = await RedisServer.start();
  const processes: BenchProcess[] = [];
  try {
    const database = await seedCatalogue(dir);
    const api = async (cache: boolean) => {
      // Separate secrets: each instance's tokens are its own.
      const p = await startApi({
        database,
        redisUrl: redis.url,
        cache,
        jwtSecret: randomBytes(32).toString('base64url'),
      });
      processes.push(p);
      return p;
    };
    const cached = await api(true);
    const uncached = await api(false);
    const allBytes = Buffer.from(await (await fetch(`${cached.url}/animes/all`)).arrayBuffer());
    writeFileSync(join(dir, 'all.json'), allBytes);
    const bare = await startBaseline(join(dir, 'all.json'));
    processes.push(bare);
    console.log(`/animes/all is ${(allBytes.length / 2 ** 20).toFixed(2)} MiB`);

    const results: Record<string, Throughput> = {};
    const run = async (name: string, measure: () => Promise<Throughput> | Throughput) => {
      results[name] = await measure();
      console.log(name, results[name]);
    };
    await run('baseline: bare node:http, same bytes', () => wrk(`${bare.url}/`));
    await run('/animes/all, cache on (Redis + L1)', async () => {
      await fetch(`${cached.url}/animes/all`); // warm
      return wrk(`${cached.url}/animes/all`);
    });
    await run('/animes/all, cache off', () => wrk(`${uncached.url}/animes/all`));
    const list = '/animes?type=OVA&limit=50';
    await run(`${list}, cache on`, () => cannon({ url: cached.url + list }));
    await run(`${list}, cache off`, () => cannon({ url: uncached.url + list }));
    const etag = (await fetch(cached.url + list)).headers.get('etag')!;
    await run(`${list}, If-None-Match (304)`, () =>
      cannon({ url: cached.url + list, headers: { 'if-none-match': etag } }),
    );
    await run('95% reads / 5% writes, cache on', async () =>
      mixedLoad(cached.url, await adminToken(cached.url, ADMIN, PASSWORD)),
    );
    await run('95% reads / 5% writes, cache off', async () =>
      mixedLoad(uncached.url, await adminToken(uncached.url, ADMIN, PASSWORD)),
    );
    for (const p of processes.splice(0)) await p.stop();

    const client = createRedisClient({ url: redis.url, commandTimeoutMs: 5000 });
    await redisReady(client);
    const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
    const small = await writeLatency(client, store, 1_000, 600);
    const large = await writeLatency(client, store, 100_000, 600);
    console.log('write latency', small, large);
    const stale = await staleReadComparison(client, redis.url, 200);
    console.log('stale reads', stale);
    await store.close();
    client.disconnect();

    const r = (name: string) => results[name]!;
    const baseline = r('baseline: bare node:http, same bytes').requestsPerSecond;
    const allOn = r('/animes/all, cache on (Redis + L1)').requestsPerSecond;
    const allOff = r('/animes/all, cache off').requestsPerSecond;
    const summary = {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      seconds: SECONDS,
      bodyMiB: round(allBytes.length / 2 ** 20, 2),
      results,
      ratios: {
        cachedAllVsBaseline: round(allOn / baseline, 2),
        cachedAllVsUncached: round(allOn / allOff, 1),
        writeLatency100kVs1k: round(large.now.medianMs / small.now.medianMs, 2),
      },
      writeLatency: [small, large],
      stale,
    };
    writeFileSync(join(ROOT, 'docs', 'benchmarks', 'cache.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeSection('cache', report(summary));
  } finally {
    for (const p of processes) await p.stop();
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(s: {
  date: string;
  machine: string;
  seconds: number;
  bodyMiB: number;
  results: Record<string, Throughput>;
  ratios: Record<string, number>;
  writeLatency: WriteLatency[];
  stale: { approach: string; trials: number; stale: number }[];
}): string {
  return [
    '## Response cache (`npm run bench:cache`)',
    '',
    `20,238 generated rows in SQLite, Redis on loopback, the API in its own process (one core's worth of`,
    `Node). \`/animes/all\` is ${s.bodyMiB} MiB of JSON and is driven by wrk (1 thread, 4 connections);`,
    'small bodies by autocannon (8 connections). The baseline is a bare `node:http` server sending the',
    `same \`/animes/all\` bytes from memory. Each run lasts ${s.seconds} s.`,
    '',
    `Machine: ${s.machine}; ${s.date}.`,
    '',
    '| scenario | req/s | p50 (ms) | p99 (ms) | non-2xx (304s count here) |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(s.results).map(
      ([name, t]) => `| ${name} | ${t.requestsPerSecond} | ${t.p50Ms} | ${t.p99Ms} | ${t.non2xx} |`,
    ),
    '',
    '| ratio | measured | target |',
    '|---|---:|---:|',
    `| cached \`/animes/all\` ÷ bare node:http | ${s.ratios.cachedAllVsBaseline} | ≥ 0.5 |`,
    `| cached ÷ uncached \`/animes/all\` | ${s.ratios.cachedAllVsUncached}× | ≥ 20× |`,
    `| write latency, 100k entries ÷ 1k entries (median) | ${s.ratios.writeLatency100kVs1k} | ≤ 1.2 |`,
    '',
    '| cached entries in Redis | before: median / p99 (ms) | now: median / p99 (ms) | now ÷ before (median) | targets |',
    '|---:|---:|---:|---:|---|',
    ...s.writeLatency.map(
      (w) =>
        `| ${w.entries} | ${w.before.medianMs} / ${w.before.p99Ms} | ${w.now.medianMs} / ${w.now.p99Ms} | ${w.nowVsBeforeMedian} | ≤ 2, p99 < 5 ms |`,
    ),
    '',
    'A write here is the SQLite commit plus the invalidation, Redis healthy, alternating write by write.',
    '*Before*: commit, then one bump (one Lua script over the tags touched), as before the',
    'transactional outbox. *Now*: the outbox row inserted in the write transaction, the bump, the row',
    'removed (a second, small SQLite transaction), then the answer.',
    '',
    'Stale reads after an acknowledged write, under the same injected race (a fill held between its',
    'database read and its cache store while the write commits and invalidates):',
    '',
    '| approach | trials | stale reads |',
    '|---|---:|---:|',
    ...s.stale.map((x) => `| ${x.approach} | ${x.trials} | ${x.stale} |`),
  ].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
