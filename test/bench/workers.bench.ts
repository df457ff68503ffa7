import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { SECONDS, type Throughput, wrk } from './load-tools';
import { type BenchProcess, seedCatalogue, startApi, startBaseline, startNginx } from './processes';
import { machine, round, writeSection } from './report';

/**
 * The cached small page with the second core in use: ours with WEB_CONCURRENCY=1 and 2 (Redis and
 * each worker's L1) against nginx proxy_cache with 1 and 2 worker processes in front of ours with
 * its cache off, and a bare node:http server sending the same bytes. Interleaved rounds, wrk at 32
 * connections; every figure is a ratio within the run.
 *
 *   npm run bench:workers
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE = '/animes?type=OVA&limit=50';
const SECRET = randomBytes(32).toString('base64url');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'anime-workers-bench-'));
  const processes: { stop(): Promise<void> }[] = [];
  const redis = await RedisServer.start();
  try {
    const database = await seedCatalogue(dir);
    const api = (env: Record<string, string>, cache = true) =>
      startApi({ database, redisUrl: redis.url, cache, jwtSecret: SECRET, env }).then((p) => {
        processes.push(p);
        return p;
      });
    const one = await api({ WEB_CONCURRENCY: '1' });
    const two = await api({ WEB_CONCURRENCY: '2' });
    const upstream = await api({ WEB_CONCURRENCY: '1' }, false);
    const nginx1 = await startNginx(join(dir, 'nginx-1'), upstream.port, 1);
    const nginx2 = await startNginx(join(dir, 'nginx-2'), upstream.port, 2);
    processes.push(nginx1, nginx2);
    writeFileSync(join(dir, 'page.json'), Buffer.from(await (await fetch(one.url + PAGE)).arrayBuffer()));
    const bare: BenchProcess = await startBaseline(join(dir, 'page.json'));
    processes.push(bare);
    const targets: Record<string, string> = {
      'bare node:http, same bytes (one process)': `${bare.url}/`,
      'ours, 1 worker (Redis + L1)': one.url + PAGE,
      'ours, 2 workers (Redis + L1 each)': two.url + PAGE,
      'nginx proxy_cache, 1 worker': nginx1.url + PAGE,
      'nginx proxy_cache, 2 workers': nginx2.url + PAGE,
    };
    // Every worker (ours and nginx's) fills its own cache before it is measured.
    for (const url of Object.values(targets))
      for (let i = 0; i < 20; i++) await (await fetch(url)).arrayBuffer();
    const figures: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      const names = Object.keys(targets);
      for (const name of r % 2 === 0 ? names : names.reverse()) {
        const result: Throughput = wrk(targets[name]!, 32);
        if (result.non2xx) throw new Error(`${name}: ${result.non2xx} non-2xx answers`);
        figures[name] = [...(figures[name] ?? []), result.requestsPerSecond];
      }
    }
    const of = (name: string) => median(figures[name]!);
    const rows = Object.keys(targets).map(
      (name) =>
        `| ${name} | ${figures[name]!.map(Math.round).join(' / ')} | ${round(of(name) / of('bare node:http, same bytes (one process)'), 2)}× |`,
    );
    const ratio = (a: string, b: string) => round(of(a) / of(b), 2);
    const markdown = `## The second core: WEB_CONCURRENCY (\`npm run bench:workers\`)

${machine()}; ${ROUNDS} interleaved rounds of ${SECONDS} s, wrk at 32 connections on ${PAGE}.

| server | req/s per round | ÷ bare node:http |
|---|---|---|
${rows.join('\n')}

- ours with 2 workers ÷ nginx with 2 workers: **${ratio('ours, 2 workers (Redis + L1 each)', 'nginx proxy_cache, 2 workers')}×** (target ≥ 1.0×)
- ours with 2 workers ÷ ours with 1: ${ratio('ours, 2 workers (Redis + L1 each)', 'ours, 1 worker (Redis + L1)')}×
- nginx with 2 workers ÷ nginx with 1: ${ratio('nginx proxy_cache, 2 workers', 'nginx proxy_cache, 1 worker')}×`;
    console.log(markdown);
    if (process.env.BENCH_WRITE_DOCS !== 'false') writeSection('workers', markdown);
  } finally {
    for (const p of processes) await p.stop();
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
