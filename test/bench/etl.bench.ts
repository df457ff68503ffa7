import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../../etl/generate';
import { machine, writeSection } from './report';

const ROOT = join(__dirname, '..', '..');
const SIZES = (process.env.BENCH_ETL_ROWS ?? '20238,1000000').split(',').map(Number);

function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

/** ETL throughput and memory against sqlite3's `.import` of the same file into one table. */
async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-etl-'));
  const rows = [];
  try {
    for (const size of SIZES) {
      const csv = join(dir, `animes-${size}.csv`);
      await writeDataset(csv, size, 42);
      const ours = timed(join(ROOT, 'node_modules', '.bin', 'tsx'), [
        'test/bench/etl-child.ts',
        csv,
        join(dir, `ours-${size}.db`),
      ]);
      const summary = JSON.parse(ours.stdout.trim().split('\n').pop()!);
      const script = join(dir, 'import.sql');
      writeFileSync(script, `.import --csv --skip 1 ${csv} animes_raw\n`);
      const importDb = join(dir, `import-${size}.db`);
      spawnSync('sqlite3', [
        importDb,
        'CREATE TABLE animes_raw (animeID, title, alternative_title, type, year, score, episodes, mal_url, sequel, image_url, genres, genres_detailed);',
      ]);
      const baseline = timed('sqlite3', [importDb, `.read ${script}`]);
      rows.push({
        rows: size,
        oursSeconds: summary.seconds,
        oursRowsPerSecond: summary.rowsPerSecond,
        peakRssMb: summary.peakRssMb,
        importSeconds: Math.round(baseline.seconds * 1000) / 1000,
        ratio: Math.round((summary.seconds / baseline.seconds) * 100) / 100,
      });
      console.log(rows[rows.length - 1]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = [
    '| rows | our ETL (s) | rows/s | peak RSS (MB) | sqlite3 .import (s) | ours ÷ .import |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.rows} | ${r.oursSeconds} | ${r.oursRowsPerSecond} | ${r.peakRssMb} | ${r.importSeconds} | ${r.ratio}× |`,
    ),
  ].join('\n');
  writeSection(
    'etl',
    `## ETL (\`npm run bench:etl\`)

Generated Kaggle-format CSV loaded into a fresh SQLite file: parse, validate every row, stage, merge
into the normalized schema (genres table + links), maintain indexes and the data-version trigger. The
baseline is the \`sqlite3\` command-line \`.import\` of the same file into a single unindexed table of
text columns, with no validation: the practical limit. Our time counts the load only (not the process start).

Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}.

${table}

Targets: 20,238 rows under 1 s; 1M rows under 300 MB peak RSS; at most 3× \`.import\`.`,
  );
  writeFileSync(
    join(ROOT, 'docs', 'benchmarks', 'etl.json'),
    `${JSON.stringify({ machine: machine(), rows }, null, 2)}\n`,
  );
}

main();
