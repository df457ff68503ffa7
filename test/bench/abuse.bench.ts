import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from '../support/redis-server';
import { cannon, type Throughput } from './load-tools';
import { type BenchProcess, ROOT, seedCatalogue, startApi } from './processes';
import { machine, percentile, round, writeSection } from './report';

/**
 * `npm run bench:abuse`: the red team's availability attack (issue 31), replayed on loopback
 * against one instance with Redis. Honest clients read a cached page while, in the attack phase,
 * three other client addresses (127.0.0.2-4) each ask about 5 times a second for a new large
 * list-all variant (`/animes/all?maxScore=9.99&sort=-year`, then 9.98, ...), each well inside its
 * own per-client budget by count. Figures: the honest hit throughput and p99 under attack against
 * the same benchmark's calm phase, /health's p99, the event loop's delay, Redis's growth.
 * Bounded: ABUSE_SECONDS (15) per phase, loopback only, every process stopped by its PID.
 * ABUSE_COMPARE=false skips the unprotected instance (and writes nothing).
 */
const SECONDS = Number(process.env.ABUSE_SECONDS ?? 15);
const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const ATTACK_INTERVAL_MS = 200;
const PAGE = '/animes?type=TV&limit=20';

interface Phase {
  hits: Throughput;
  healthP99Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  redisGrowthMb: number;
  attack?: { sent: number; statuses: Record<string, number>; megabytes: number };
}

/** GETs `path` from `localAddress`, reading and dropping the body; resolves with the status and bytes. */
function get(port: number, path: string, localAddress: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, localAddress, headers: { 'accept-encoding': 'gzip, br' } },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', () => resolve({ status: -1, bytes }));
      },
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: -1, bytes: 0 }));
    req.end();
  });
}

/** Times /health every 50 ms until `until`. */
async function probeHealth(port: number, until: number): Promise<number[]> {
  const times: number[] = [];
  while (Date.now() < until) {
    const started = performance.now();
    await get(port, '/health', '127.0.0.1');
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  return times;
}

/** Each attacker sends a new variant every ATTACK_INTERVAL_MS (at most 4 in flight) until `until`. */
async function attack(port: number, until: number): Promise<NonNullable<Phase['attack']>> {
  let variant = 0;
  const statuses: Record<string, number> = {};
  let bytes = 0;
  let sent = 0;
  await Promise.all(
    ATTACKERS.map(async (address) => {
      const inFlight = new Set<Promise<void>>();
      while (Date.now() < until) {
        if (inFlight.size < 4) {
          const maxScore = (9.99 - 0.01 * variant++).toFixed(2);
          sent++;
          const done = get(port, `/animes/all?maxScore=${maxScore}&sort=-year`, address).then((r) => {
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            bytes += r.bytes;
            inFlight.delete(done);
          });
          inFlight.add(done);
        }
        await new Promise((r) => setTimeout(r, ATTACK_INTERVAL_MS));
      }
      await Promise.all(inFlight);
    }),
  );
  return { sent, statuses, megabytes: round(bytes / 2 ** 20, 1) };
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-abuse-'));
  const probeFile = join(dir, 'loop.json');
  const server = await RedisServer.start(['--maxmemory', '512mb', '--maxmemory-policy', 'volatile-lru']);
  const redis = new Redis(server.url);
  const apis: BenchProcess[] = [];
  try {
    const database = await seedCatalogue(dir);
    /**
     * The production defaults; `unprotected` is the same instance as it was before issue 31: the
     * budget counted requests (one unit each, whatever their size) and every answer was admitted.
     */
    const start = async (unprotected: boolean) => {
      const started = await startApi({
        database,
        redisUrl: server.url,
        cache: true,
        jwtSecret: randomBytes(32).toString('base64url'),
        env: {
          UNCACHED_READS_PER_CLIENT: '600',
          REQUESTS_IN_FLIGHT_PER_CLIENT: '64',
          LOOP_PROBE_FILE: probeFile,
          ...(unprotected ? { UNCACHED_READ_UNIT_BYTES: String(2 ** 30), CACHE_ADMIT_AFTER_BYTES: '0' } : {}),
        },
        preload: [join(ROOT, 'test/bench/loop-probe.ts')],
      });
      apis.push(started);
      await get(started.port, PAGE, '127.0.0.1'); // warm: the honest page is a hit from here on
      return started;
    };
    let api = await start(false);
    let port = api.port;
    const loop = async () => {
      api.signal('SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
      return JSON.parse(readFileSync(probeFile, 'utf8')) as {
        loopDelayP99Ms: number;
        loopDelayMaxMs: number;
      };
    };
    const phase = async (attacking: boolean): Promise<Phase> => {
      await loop(); // a new window
      const before = await usedMemory(redis);
      const until = Date.now() + SECONDS * 1000;
      const [hits, health, attacked] = await Promise.all([
        cannon({ url: `http://127.0.0.1:${port}${PAGE}`, connections: 8, duration: SECONDS }),
        probeHealth(port, until),
        attacking ? attack(port, until) : Promise.resolve(undefined),
      ]);
      const delay = await loop();
      return {
        hits,
        healthP99Ms: round(percentile(health, 99), 1),
        loopDelayP99Ms: round(delay.loopDelayP99Ms, 1),
        loopDelayMaxMs: round(delay.loopDelayMaxMs, 1),
        redisGrowthMb: round(((await usedMemory(redis)) - before) / 2 ** 20, 1),
        ...(attacked ? { attack: attacked } : {}),
      };
    };
    const calm = await phase(false);
    console.log('calm', calm);
    const underAttack = await phase(true);
    console.log('attack', underAttack);
    if (process.env.ABUSE_COMPARE === 'false') return; // a quick look at the protected instance only
    await api.stop();
    await redis.flushall();
    api = await start(true);
    port = api.port;
    const unprotectedCalm = await phase(false);
    const unprotected = await phase(true);
    console.log('without the protections', unprotectedCalm, unprotected);
    const ratio = (a: number, b: number) => round(a / b, 2);
    const rows = (c: Phase, u: Phase) => [
      `| cached page, req/s | ${c.hits.requestsPerSecond} | ${u.hits.requestsPerSecond} | ${ratio(u.hits.requestsPerSecond, c.hits.requestsPerSecond)}× | ≥ 0.7× |`,
      `| cached page, p99 ms | ${c.hits.p99Ms} | ${u.hits.p99Ms} | ${ratio(u.hits.p99Ms, c.hits.p99Ms)}× | ≤ 2× |`,
      `| /health p99 ms | ${c.healthP99Ms} | ${u.healthP99Ms} | ${ratio(u.healthP99Ms, c.healthP99Ms)}× | |`,
      `| event-loop delay p99 / max ms | ${c.loopDelayP99Ms} / ${c.loopDelayMaxMs} | ${u.loopDelayP99Ms} / ${u.loopDelayMaxMs} | | p99 < 20 ms |`,
      `| Redis growth MB | ${c.redisGrowthMb} | ${u.redisGrowthMb} | | bounded by the budget |`,
    ];
    const header = ['| | calm | under attack | ratio | target |', '|---|---:|---:|---:|---|'];
    const table = [...header, ...rows(calm, underAttack)].join('\n');
    const before = [...header, ...rows(unprotectedCalm, unprotected)].join('\n');
    const statuses = (p: Phase) =>
      Object.entries(p.attack!.statuses)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ');
    const a = underAttack.attack!;
    const report = `### Availability under abuse (\`npm run bench:abuse\`)

${machine()}; one API instance with Redis, ${SECONDS} s per phase, the same run. Attack: ${ATTACKERS.length} client addresses, each a new \`/animes/all?maxScore=<9.99, 9.98, …>&sort=-year\` every ${ATTACK_INTERVAL_MS} ms (at most 4 in flight); honest clients: autocannon, 8 connections, on the cached \`${PAGE}\`.

${table}

Attack requests: ${a.sent} sent; statuses ${statuses(underAttack)}; ${a.megabytes} MB received.

The same attack, same run, against an instance without this issue's protections (the budget counting requests whatever their size, every answer admitted to the cache):

${before}

Attack requests: ${unprotected.attack!.sent} sent; statuses ${statuses(unprotected)}; ${unprotected.attack!.megabytes} MB received.`;
    console.log(`\n${report}`);
    if (process.env.ABUSE_WRITE !== 'false') writeSection(process.env.ABUSE_SECTION ?? 'abuse', report);
  } finally {
    for (const p of apis) await p.stop();
    redis.disconnect();
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
