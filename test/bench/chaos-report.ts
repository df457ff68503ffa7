import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioReport } from '../chaos/workload';
import { machine, writeSection } from './report';

/** Writes the chaos suite's last report (test/chaos, left in the temp directory) into docs/benchmarks.md. */
const reports = JSON.parse(
  readFileSync(join(tmpdir(), 'anime-chaos-report.json'), 'utf8'),
) as ScenarioReport[];
const resume = (r: ScenarioReport) =>
  Object.entries(r.hitsResumeMs)
    .map(
      ([instance, ms]) =>
        `${instance} ${ms < 0 ? 'none' : `${ms} ms`}${r.resumedAfterLoad?.includes(instance) ? ' (once the writes stopped)' : ''}`,
    )
    .join(', ');
const rows = reports.map((r) =>
  r.scenario === 'writer-crash'
    ? `| writer-crash (killed between commit and bump) | – | – | 0 | – | – | B served the write ${r.hitsResumeMs.B} ms after the crash |`
    : `| ${r.scenario} | ${r.reads} | ${r.writes} | ${r.stale}${r.scenario === 'control' ? ' (must be > 0)' : ''} | ${r.serverErrors} | ${r.writeP50Ms} / ${r.writeP99Ms} / ${r.writeMaxMs} | ${resume(r)} |`,
);
writeSection(
  'chaos',
  [
    '## Cache coherence under faults (`npm run bench:chaos`)',
    '',
    'The chaos suite (test/chaos): two API instances, each a cluster of two workers (WEB_CONCURRENCY=2,',
    'each worker with its own L1 and lease), over one SQLite file and one redis-server (A reaches it',
    'through a fault proxy), four closed-loop readers per instance on a detail, a filtered',
    'page and a list-all holding the written row, one serial writer (a PATCH every 25 ms), and a',
    'process burning one of the two cores throughout. Each scenario lasts 6.5 s; the fault starts at',
    '1.5 s and lasts 2.5 s. `control` writes around the API (plain SQL) and shows the detector counts',
    'stale reads when the acknowledgement does not wait for the invalidation.',
    '',
    `Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| scenario | reads | writes | stale | 5xx | write p50 / p99 / max (ms) | cache hits resume after the fault |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    'The write column is the bounded wait: a write whose invalidation nobody can apply waits one',
    '`CACHE_LEASE_MS` (1 s) plus a 50 ms margin; one that a peer applies for it waits for that',
    "peer's next check (`CACHE_CHECK_INTERVAL_MS`, 200 ms) plus the bump.",
  ].join('\n'),
);
