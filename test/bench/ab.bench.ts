import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../../etl/generate';
import { cannon, SECONDS, type Throughput, wrk } from './load-tools';
import { type BenchProcess, ROOT, startApi } from './processes';
import { machine, round, writeSection } from './report';

/**
 * A against B in one run: the API of another commit (A, `--base`, default HEAD) against this
 * working tree (B), over the same generated catalogue, each loaded by its own checkout's ETL (a
 * change may add migrations). Rounds interleave A and B so drift on a shared machine falls on both.
 *
 *   npm run bench:ab                  this working tree against HEAD
 *   npm run bench:ab -- --base main~3 against another commit
 */
const base = process.argv.includes('--base') ? process.argv[process.argv.indexOf('--base') + 1]! : 'HEAD';
const SECRET = randomBytes(32).toString('base64url');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE = '/animes?type=OVA&limit=50';
const UNCACHED = '/animes?type=TV&sort=-score&limit=50';

interface Scenario {
  readonly name: string;
  readonly cache: boolean;
  run(url: string, etag: string): Promise<Throughput> | Throughput;
}

const SCENARIOS: readonly Scenario[] = [
  { name: `cached small page ${PAGE} (wrk, 32 connections)`, cache: true, run: (url) => wrk(url + PAGE, 32) },
  {
    name: 'If-None-Match on that page: 304 (autocannon, 8 connections)',
    cache: true,
    run: (url, etag) => cannon({ url: url + PAGE, headers: { 'if-none-match': etag } }),
  },
  {
    name: `uncached page ${UNCACHED} (cache off; wrk, 8 connections)`,
    cache: false,
    run: (url) => wrk(url + UNCACHED, 8),
  },
];

function load(root: string, csv: string, database: string): void {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'cli/etl.ts'), '--input', csv, '--database', database],
    {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, LOG_LEVEL: 'error' },
    },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'anime-ab-'));
  const baseRoot = join(dir, 'base');
  const commit = execFileSync('git', ['rev-parse', '--short', base], { cwd: ROOT, encoding: 'utf8' }).trim();
  execFileSync('git', ['worktree', 'add', '--detach', baseRoot, commit], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(baseRoot, 'node_modules'));
  const processes: BenchProcess[] = [];
  try {
    const csv = join(dir, 'animes.csv');
    await writeDataset(csv, 20238, 42);
    const sides = [
      { label: `A (${commit})`, root: baseRoot },
      { label: 'B (this tree)', root: ROOT },
    ];
    const servers: Record<string, Record<'on' | 'off', BenchProcess>> = {};
    for (const [i, side] of sides.entries()) {
      const database = join(dir, `side-${i}.db`);
      load(side.root, csv, database);
      const common = {
        database,
        redisUrl: '',
        jwtSecret: SECRET,
        root: side.root,
      };
      const on = await startApi({ ...common, cache: true });
      const off = await startApi({ ...common, cache: false });
      processes.push(on, off);
      servers[side.label] = { on, off };
    }
    const results = new Map<string, Record<string, number[]>>();
    for (let round = 0; round < ROUNDS; round++) {
      // A B, then B A: each side runs first as often as the other.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const scenario of SCENARIOS) {
        for (const side of order) {
          const server = servers[side.label]![scenario.cache ? 'on' : 'off'];
          const warm = await fetch(server.url + PAGE);
          await warm.arrayBuffer();
          const figures = results.get(scenario.name) ?? {};
          const result = await scenario.run(server.url, warm.headers.get('etag') ?? '');
          if (result.non2xx && !scenario.name.includes('304'))
            throw new Error(`${side.label}: ${result.non2xx} non-2xx`);
          figures[side.label] = [...(figures[side.label] ?? []), result.requestsPerSecond];
          results.set(scenario.name, figures);
        }
      }
    }
    const [a, b] = sides.map((s) => s.label) as [string, string];
    const rows = [...results].map(([name, figures]) => {
      const ma = median(figures[a]!);
      const mb = median(figures[b]!);
      return `| ${name} | ${figures[a]!.map(Math.round).join(' / ')} | ${figures[b]!.map(Math.round).join(' / ')} | ${round(mb / ma, 2)}× |`;
    });
    const markdown = `## A/B against a base commit (\`npm run bench:ab -- --base ${base}\`)

${machine()}; ${ROUNDS} interleaved rounds of ${SECONDS} s, req/s per round; the ratio is B's median ÷ A's.
Base ${commit}; B is the working tree it ran in.

| scenario | A req/s | B req/s | B ÷ A |
|---|---|---|---|
${rows.join('\n')}`;
    console.log(markdown);
    if (process.env.BENCH_WRITE_DOCS !== 'false') writeSection('ab', markdown);
  } finally {
    for (const p of processes) await p.stop();
    execFileSync('git', ['worktree', 'remove', '--force', baseRoot], { cwd: ROOT, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
