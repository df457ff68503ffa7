import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { writeDataset } from '../../etl/generate';
import { loadCsv } from '../../etl/load-csv';
import { type BenchProcess, ROOT, startApi } from './processes';
import { machine, percentile, round, writeSection } from './report';

/**
 * Cost as the catalogue grows: the same requests against 20k, 200k and 1M generated rows, each
 * against an uncached server (every request reaches the database) with a probe preloaded into it
 * for its event-loop delay and peak RSS. Baselines from the same run: `/health` (the HTTP floor),
 * a 2-character `q` (too short for the trigram index: the scan every `q` was before it), and the
 * 20k figures for the larger catalogues.
 */
const SIZES = (process.env.BENCH_SCALE_ROWS ?? '20000,200000,1000000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 100);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

interface Timing {
  status: number;
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  body?: Buffer;
}

/** One GET on loopback: time to the first body byte and to the end; the body kept when asked. */
function get(url: string, keep = true, encoding = 'identity'): Promise<Timing> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'accept-encoding': encoding } }, (res) => {
      let firstByteMs = -1;
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - started;
        bytes += chunk.length;
        if (keep) chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          firstByteMs,
          totalMs: performance.now() - started,
          bytes,
          body: keep ? Buffer.concat(chunks) : undefined,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** p50 and p99 of `SAMPLES` sequential requests to one path (after one warm-up). */
async function latency(base: string, path: string): Promise<{ p50: number; p99: number }> {
  const first = await get(base + path);
  if (first.status !== 200) throw new Error(`${path}: ${first.status} ${first.body}`);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) times.push((await get(base + path)).totalMs);
  return { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2) };
}

/** The `next` link of a page some pages in: a cursor deep into the sort. */
async function deepCursor(base: string, path: string, pages: number): Promise<string> {
  let next = path;
  for (let i = 0; i < pages; i++) {
    const page = JSON.parse((await get(base + next)).body!.toString()) as { next: string | null };
    if (!page.next) break;
    next = page.next;
  }
  return next;
}

/** Figures since the probe's last window (see loop-probe.ts). */
async function probe(api: BenchProcess, file: string) {
  rmSync(file, { force: true });
  api.signal('SIGUSR2');
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as {
        loopDelayP99Ms: number;
        loopDelayMaxMs: number;
        peakRssMb: number;
      };
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error('the probe did not answer');
}

/** `work` while a second client polls /health every 10 ms: the work's result and the server's figures. */
async function underWatch<T>(base: string, api: BenchProcess, probeFile: string, work: () => Promise<T>) {
  await probe(api, probeFile); // a fresh window
  const health: number[] = [];
  let running = true;
  const watcher = (async () => {
    while (running) {
      health.push((await get(`${base}/health`)).totalMs);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const result = await work();
  running = false;
  await watcher;
  const server = await probe(api, probeFile);
  return {
    result,
    healthP99Ms: round(percentile(health, 99), 2),
    healthSamples: health.length,
    peakRssMb: round(server.peakRssMb, 1),
    loopDelayP99Ms: round(server.loopDelayP99Ms, 1),
    loopDelayMaxMs: round(server.loopDelayMaxMs, 1),
  };
}

/** List-all (JSON, or CSV with `?format=csv`) under watch. */
async function listAllUnderWatch(base: string, api: BenchProcess, probeFile: string, query = '') {
  const { result: all, ...server } = await underWatch(base, api, probeFile, () =>
    get(`${base}/animes/all${query}`, false, 'gzip'),
  );
  return {
    firstByteMs: round(all.firstByteMs, 1),
    totalMs: round(all.totalMs, 1),
    gzippedMb: round(all.bytes / 2 ** 20, 1),
    ...server,
  };
}

/** Reads that scan (a count, a sort no index serves, stats), 10 rounds in a row, under watch. */
const SCANS = [
  '/animes?type=OVA&minScore=5&limit=50&count=exact',
  '/animes?sort=-year,title&limit=50',
  '/stats',
];
async function scansUnderWatch(base: string, api: BenchProcess, probeFile: string) {
  const { result: times, ...server } = await underWatch(base, api, probeFile, async () => {
    const times: number[] = [];
    for (let round = 0; round < 10; round++)
      for (const path of SCANS) times.push((await get(base + path)).totalMs);
    return times;
  });
  return { scanP50Ms: round(percentile(times, 50), 1), ...server };
}

async function measure(size: number, dir: string) {
  const csv = join(dir, `animes-${size}.csv`);
  await writeDataset(csv, size, 42);
  const database = join(dir, `anime-${size}.db`);
  const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
  await loadCsv({ input: csv, profile: kaggleAnimes, loader: store.loader, mode: 'replace' });
  await store.close();
  rmSync(csv);
  const probeFile = join(dir, `probe-${size}.json`);
  const start = (readThreads: string) =>
    startApi({
      database,
      redisUrl: '',
      cache: false,
      jwtSecret: randomBytes(32).toString('base64url'),
      env: { LOOP_PROBE_FILE: probeFile, SQLITE_READ_THREADS: readThreads },
      preload: [join(ROOT, 'test/bench/loop-probe.ts')],
    });
  // The baseline first: the same scans with every read on the main thread.
  const mainThread = await start('0');
  let scansOnMainThread: Awaited<ReturnType<typeof scansUnderWatch>>;
  try {
    scansOnMainThread = await scansUnderWatch(mainThread.url, mainThread, probeFile);
  } finally {
    await mainThread.stop();
  }
  const api = await start('2');
  try {
    const base = api.url;
    const deep = await deepCursor(base, '/animes?sort=-score&limit=50', 20);
    const deepMulti = await deepCursor(base, '/animes?sort=-year,title&limit=50', 20);
    const figures = {
      rows: size,
      health: await latency(base, '/health'),
      pageById: await latency(base, '/animes?limit=50'),
      pageFiltered: await latency(base, '/animes?type=OVA&minScore=5&limit=50'),
      pageByScore: await latency(base, '/animes?sort=-score&limit=50'),
      pageByTitle: await latency(base, '/animes?sort=title&limit=50'),
      pageDeepCursor: await latency(base, deep),
      pageMultiSortScore: await latency(base, '/animes?sort=-score,title&limit=50'),
      pageMultiSort: await latency(base, '/animes?sort=-year,title&limit=50'),
      pageMultiSortDeep: await latency(base, deepMulti),
      pageCounted: await latency(base, '/animes?type=OVA&minScore=5&limit=50&count=exact'),
      pageFields: await latency(base, '/animes?limit=50&fields=title,score'),
      pageCsv: await latency(base, '/animes?limit=50&format=csv'),
      searchIndexed: await latency(base, '/animes?q=zzzz&limit=50'),
      searchCommon: await latency(base, '/animes?q=the&limit=50'),
      searchScan: await latency(base, '/animes?q=zz&limit=50'),
      stats: await latency(base, '/stats'),
      listAll: await listAllUnderWatch(base, api, probeFile),
      listAllCsv: await listAllUnderWatch(base, api, probeFile, '?format=csv'),
      scans: await scansUnderWatch(base, api, probeFile),
      scansOnMainThread,
    };
    console.log(JSON.stringify(figures));
    return figures;
  } finally {
    await api.stop();
  }
}

type Figures = Awaited<ReturnType<typeof measure>>;
const LATENCIES = [
  ['health', '`/health` (HTTP floor)'],
  ['pageById', 'page, by id'],
  ['pageFiltered', 'page, `type=OVA&minScore=5`'],
  ['pageByScore', 'page, `sort=-score`'],
  ['pageByTitle', 'page, `sort=title`'],
  ['pageDeepCursor', 'page 21, `sort=-score` (cursor)'],
  ['pageMultiSortScore', 'page, `sort=-score,title`'],
  ['pageMultiSort', 'page, `sort=-year,title` (few years: ties sorted by title)'],
  ['pageMultiSortDeep', 'page 21, `sort=-year,title` (cursor)'],
  ['pageCounted', 'page, `type=OVA&minScore=5` + `count=exact`'],
  ['pageFields', 'page, by id, `fields=title,score`'],
  ['pageCsv', 'page, by id, `format=csv`'],
  ['searchIndexed', '`q=zzzz` (trigram index, no match)'],
  ['searchCommon', '`q=the` (trigram index, many matches)'],
  ['searchScan', '`q=zz` (too short for the index: a scan)'],
  ['stats', '`/stats`'],
] as const;

function report(results: Figures[]): string {
  const base = results[0]!;
  const header = `| request | ${results.map((r) => `${r.rows} p50 / p99 (ms)`).join(' | ')} | p99 at ${results.at(-1)!.rows} ÷ at ${base.rows} |`;
  const lines = LATENCIES.map(([key, label]) => {
    const cells = results.map((r) => `${r[key].p50} / ${r[key].p99}`);
    return `| ${label} | ${cells.join(' | ')} | ${round(results.at(-1)![key].p99 / base[key].p99, 2)}× |`;
  });
  const listAll = results.flatMap((r) =>
    (['listAll', 'listAllCsv'] as const).map((key) => {
      const l = r[key];
      return `| ${r.rows} | ${key === 'listAll' ? 'JSON' : 'CSV'} | ${l.firstByteMs} | ${l.totalMs} | ${l.gzippedMb} | ${l.peakRssMb} | ${l.loopDelayP99Ms} / ${l.loopDelayMaxMs} | ${l.healthP99Ms} (${l.healthSamples}) |`;
    }),
  );
  const scans = results.flatMap((r) =>
    (['scansOnMainThread', 'scans'] as const).map((key) => {
      const x = r[key];
      return `| ${r.rows} | ${key === 'scans' ? '2 read threads' : 'main thread (SQLITE_READ_THREADS=0)'} | ${x.scanP50Ms} | ${x.loopDelayP99Ms} / ${x.loopDelayMaxMs} | ${x.healthP99Ms} (${x.healthSamples}) |`;
    }),
  );
  return [
    '## Scale (`npm run bench:scale`)',
    '',
    'Generated catalogues loaded by the ETL into SQLite files; one uncached API process per size (every',
    'request reaches the database), with `test/bench/loop-probe.ts` preloaded for its event-loop delay',
    `(\`monitorEventLoopDelay\`) and peak RSS. ${SAMPLES} sequential requests per figure after one warm-up, keep-alive, loopback.`,
    '',
    `Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `${header}`,
    `|---|${results.map(() => '---:|').join('')}---:|`,
    ...lines,
    '',
    'List-all (gzip), with a second client polling `/health` every 10 ms meanwhile:',
    '',
    '| rows | format | first byte (ms) | total (ms) | gzipped (MiB) | server peak RSS (MB) | event-loop delay p99 / max (ms) | `/health` p99 meanwhile (ms, samples) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
    ...listAll,
    '',
    `Reads that scan (${SCANS.map((p) => `\`${p}\``).join(', ')}), 10 rounds back to back, with a second client polling \`/health\` every 10 ms; the same requests against the same file with every read on the main thread, as the baseline:`,
    '',
    '| rows | reads on | scan p50 (ms) | event-loop delay p99 / max (ms) | `/health` p99 meanwhile (ms, samples) |',
    '|---:|---|---:|---:|---:|',
    ...scans,
  ].join('\n');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  try {
    const results: Figures[] = [];
    for (const size of SIZES) results.push(await measure(size, dir));
    writeSection('scale', report(results));
    console.log(report(results));
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
