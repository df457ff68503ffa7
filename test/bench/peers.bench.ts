import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCpuBurner } from '../chaos/cluster';
import { freePort, RedisServer } from '../support/redis-server';
import { SECONDS, type Throughput, wrk } from './load-tools';
import { BenchProcess, ROOT, seedCatalogue, startApi } from './processes';
import { machine, round, writeSection } from './report';

/**
 * Ours against what a user would pick instead, side by side in one run over the same rows (the
 * generated 20,238-row catalogue, one SQLite file each): Platformatic DB 3 (fastify, REST generated
 * from the schema, no cache; it needs Node 22, fetched from the npm registry's node package when
 * this Node is older) and a bare node:http server running the same prepared statements with
 * better-sqlite3 and JSON.stringify (the physical limit). Quiet, then with a process burning one
 * core. Not in npm test: it installs Platformatic into BENCH_PEERS_DIR (default a folder under the
 * OS temp dir, kept for the next run). Directus 10 is not run here yet (see docs/benchmarks.md).
 *
 *   npm run bench:peers
 */
const PEERS = process.env.BENCH_PEERS_DIR ?? join(tmpdir(), 'anime-bench-peers');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const IGNORED_TABLES = [
  'schema_migrations',
  'genres',
  'anime_genres',
  'data_version',
  'users',
  'local_credentials',
  'cache_outbox',
  'sqlite_sequence',
  'sessions',
  'animes_title_search',
  'animes_title_search_data',
  'animes_title_search_idx',
  'animes_title_search_docsize',
  'animes_title_search_config',
];
/** Platformatic DB started from its own API; only the catalogue table is served. */
const PLATFORMATIC_START = `import { create } from '@platformatic/db';
const [, , database, port] = process.argv;
const app = await create(process.cwd(), {
  server: { hostname: '127.0.0.1', port: Number(port), logger: { level: 'error' } },
  db: {
    connectionString: 'sqlite://' + database,
    graphql: false,
    openapi: true,
    events: false,
    limit: { default: 50, max: 100000 },
    ignore: Object.fromEntries(${JSON.stringify(IGNORED_TABLES)}.map((t) => [t, true])),
  },
});
await app.start({ listen: true });
`;

/** Node 22 and @platformatic/db 3 in PEERS, once: later runs reuse them. */
function installPlatformatic(): string {
  const major = Number(process.versions.node.split('.')[0]);
  const nodeDir = join(PEERS, 'node22');
  const node = major >= 22 ? process.execPath : join(nodeDir, 'bin', 'node');
  if (major < 22 && !existsSync(node))
    execFileSync('bash', [join(ROOT, 'test/node/fetch-node.sh'), nodeDir, '22'], { stdio: 'inherit' });
  const app = join(PEERS, 'platformatic');
  if (!existsSync(join(app, 'node_modules', '@platformatic', 'db'))) {
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), '{"name":"platformatic-peer","private":true,"type":"module"}\n');
    const env = {
      ...process.env,
      PATH: `${join(node, '..')}:${process.env.PATH}`,
      npm_config_nodedir: major < 22 ? nodeDir : '',
    };
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '@platformatic/db@3'], {
      cwd: app,
      env,
      stdio: 'inherit',
    });
    // The registry's install scripts are not run by default: better-sqlite3 is built here, against Node 22.
    execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: app, env, stdio: 'inherit' });
  }
  writeFileSync(join(app, 'start.mjs'), PLATFORMATIC_START);
  return node;
}

async function startPlatformatic(
  node: string,
  database: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const app = join(PEERS, 'platformatic');
  const child = spawn(node, [join(app, 'start.mjs'), database, String(port)], {
    cwd: app,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`Platformatic DB exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/animes?limit=1`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const node = installPlatformatic();
  const dir = mkdtempSync(join(tmpdir(), 'anime-peers-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const database = await seedCatalogue(dir);
    const copy = (name: string) => {
      const file = join(dir, `${name}.db`);
      execFileSync('sqlite3', [database, `.backup ${file}`]);
      return file;
    };
    const secret = randomBytes(32).toString('base64url');
    const uncached = await startApi({
      database: copy('ours-off'),
      redisUrl: '',
      cache: false,
      jwtSecret: secret,
    });
    const cached = await startApi({
      database: copy('ours-on'),
      redisUrl: '',
      cache: true,
      jwtSecret: secret,
    });
    const bare = await BenchProcess.start('test/bench/bare-sqlite-server.ts', [copy('bare')], {}, '/page');
    const platformatic = await startPlatformatic(node, copy('platformatic'));
    // Two workers on the two cores (WEB_CONCURRENCY needs Redis: the rate limits are shared there).
    const redis = await RedisServer.start();
    stops.push(() => redis.kill());
    const uncachedTwo = await startApi({
      database: copy('ours-off-2'),
      redisUrl: redis.url,
      cache: false,
      jwtSecret: secret,
      env: { WEB_CONCURRENCY: '2' },
    });
    stops.push(() => uncachedTwo.stop());
    stops.push(
      () => uncached.stop(),
      () => cached.stop(),
      () => bare.stop(),
      platformatic.stop,
    );
    const page = '/animes?type=TV&sort=-score&limit=50';
    const scenarios: Record<string, Record<string, () => Throughput>> = {
      'page of 50 (TV by score)': {
        ours: () => wrk(uncached.url + page, 8),
        'ours, 2 workers': () => wrk(uncachedTwo.url + page, 8),
        'ours, cache on': () => wrk(cached.url + page, 8),
        'Platformatic DB': () =>
          wrk(`${platformatic.url}/animes?where.type.eq=TV&orderby.score=desc&limit=50`, 8),
        'bare node:http + better-sqlite3': () => wrk(`${bare.url}/page`, 8),
      },
      'list-all (20,238 rows)': {
        ours: () => wrk(`${uncached.url}/animes/all`, 4),
        'ours, 2 workers': () => wrk(`${uncachedTwo.url}/animes/all`, 4),
        'ours, cache on': () => wrk(`${cached.url}/animes/all`, 4),
        'Platformatic DB': () => wrk(`${platformatic.url}/animes?limit=100000&orderby.id=asc`, 4),
        'bare node:http + better-sqlite3': () => wrk(`${bare.url}/all`, 4),
      },
    };
    for (const path of [page, '/animes/all']) await (await fetch(cached.url + path)).arrayBuffer();
    const results: string[] = [];
    for (const load of ['quiet', 'one core burnt'] as const) {
      const burner = load === 'quiet' ? undefined : startCpuBurner(600);
      try {
        for (const [scenario, runs] of Object.entries(scenarios)) {
          const figures: Record<string, number[]> = {};
          for (let r = 0; r < ROUNDS; r++) {
            const names = Object.keys(runs);
            for (const name of r % 2 === 0 ? names : names.reverse()) {
              const result = runs[name]!();
              if (result.non2xx) throw new Error(`${scenario}, ${name}: ${result.non2xx} non-2xx answers`);
              figures[name] = [...(figures[name] ?? []), result.requestsPerSecond];
            }
          }
          const of = (name: string) => median(figures[name]!);
          results.push(
            `| ${scenario} | ${load} | ${Object.keys(runs)
              .map((name) => figures[name]!.map(Math.round).join(' / '))
              .join(
                ' | ',
              )} | ${round(of('ours') / of('Platformatic DB'), 2)}× | ${round(of('ours') / of('bare node:http + better-sqlite3'), 2)}× | ${round(of('ours, 2 workers') / of('bare node:http + better-sqlite3'), 2)}× | ${round(of('ours, cache on') / of('Platformatic DB'), 2)}× |`,
          );
        }
      } finally {
        burner?.stop();
      }
    }
    const markdown = `## Peers, side by side (\`npm run bench:peers\`)

${machine()}; Platformatic DB 3 on Node 22; the same generated 20,238 rows in a copy of one SQLite
file each (our migrations' indexes included, so every server reads the same file layout); wrk,
${ROUNDS} interleaved rounds of ${SECONDS} s, req/s per round; ratios of medians.

| scenario | load | ours (cache off) | ours, 2 workers (cache off) | ours, cache on | Platformatic DB | bare node:http + better-sqlite3 | ours ÷ Platformatic | ours ÷ bare | ours with 2 workers ÷ bare | ours cached ÷ Platformatic |
|---|---|---|---|---|---|---|---|---|---|---|
${results.join('\n')}

Every column but "ours, cache on" is uncached: Platformatic DB and the bare baseline have no cache.
"ours, 2 workers" runs WEB_CONCURRENCY=2 (Redis holds the shared limits); the bare baseline is one
process, as Platformatic DB is.

Targets (issue 34): uncached page ≥ 1.5× Platformatic DB and ≥ 1.2× the bare baseline; uncached
list-all ≥ 1.5× Platformatic DB, quiet and under the burner.`;
    console.log(markdown);
    if (process.env.BENCH_WRITE_DOCS !== 'false') writeSection('peers', markdown);
  } finally {
    for (const stop of stops) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
