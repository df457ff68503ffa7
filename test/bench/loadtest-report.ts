import type { Throughput } from './load-tools';

export interface LoadtestResult {
  date: string;
  machine: string;
  seconds: number;
  command: string;
  scenarios: { name: string; group: string; result: Throughput }[];
  ratios: { name: string; value: number; target?: string }[];
  stale: { target: string; writes: number; staleReads: number }[];
  herd: {
    keys: number;
    requests: number;
    instances: number;
    databaseQueries: number;
    /** The same herd while Redis does not answer: one query per key per instance is the floor. */
    redisPausedQueries: number;
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A horizontal bar chart as inline SVG: no scripts, no external assets. */
function barChart(title: string, rows: { label: string; value: number }[], unit: string, id: string): string {
  const width = 900;
  const labelWidth = 380;
  const barHeight = 22;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const height = rows.length * (barHeight + 8) + 40;
  const bars = rows
    .map((row, i) => {
      const y = 30 + i * (barHeight + 8);
      const w = Math.max(1, ((width - labelWidth - 110) * row.value) / max);
      return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(row.label)}</text>
<rect class="bar" x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" rx="3"/>
<text x="${labelWidth + w + 6}" y="${y + 15}">${row.value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}</text>`;
    })
    .join('\n');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption>
<svg id="${id}" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%">${bars}</svg></figure>`;
}

/** The self-contained HTML report (charts of throughput and latency percentiles per scenario). */
export function renderHtml(result: LoadtestResult): string {
  const rows = (pick: (t: Throughput) => number) =>
    result.scenarios.map((s) => ({ label: s.name, value: pick(s.result) }));
  const table = result.scenarios
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.name)}</td><td>${s.result.requestsPerSecond}</td><td>${s.result.p50Ms}</td><td>${s.result.p99Ms}</td><td>${s.result.non2xx}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anime-platform load test</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:1000px;color:#222}
figure{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.5rem}
svg text{font-size:12px;fill:#222}.bar{fill:#3b6fd4}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child{text-align:left}
</style></head><body>
<h1>anime-platform load test</h1>
<p>${escapeHtml(result.machine)}; ${escapeHtml(result.date)}; ${result.seconds} s per scenario. Reproduce: <code>${escapeHtml(result.command)}</code></p>
${barChart(
  'Throughput (requests/s)',
  rows((t) => t.requestsPerSecond),
  'req/s',
  'throughput',
)}
${barChart(
  'p50 latency (ms)',
  rows((t) => t.p50Ms),
  'ms',
  'p50',
)}
${barChart(
  'p99 latency (ms)',
  rows((t) => t.p99Ms),
  'ms',
  'p99',
)}
<h2>Ratios</h2><ul>${result.ratios.map((r) => `<li>${escapeHtml(r.name)}: <b>${r.value}</b>${r.target ? ` (target ${escapeHtml(r.target)})` : ''}</li>`).join('')}</ul>
<h2>Stale reads after acknowledged writes</h2><ul>${result.stale.map((s) => `<li>${escapeHtml(s.target)}: ${s.staleReads} of ${s.writes}</li>`).join('')}</ul>
<h2>Thundering herd on a cold cache</h2>
<p>${result.herd.requests} concurrent requests for ${result.herd.keys} keys over ${result.herd.instances} instances cost <b>${result.herd.databaseQueries}</b> database queries; with Redis paused (every request bypassing the cache), <b>${result.herd.redisPausedQueries}</b>.</p>
<h2>All figures</h2>
<table><thead><tr><th>scenario</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>non-2xx</th></tr></thead><tbody>${table}</tbody></table>
</body></html>
`;
}

export function renderMarkdown(result: LoadtestResult): string {
  return [
    '## Load test (`npm run loadtest`)',
    '',
    `Machine: ${result.machine}; ${result.date}. ${result.seconds} s per scenario, loopback only. Reproduce with`,
    `\`${result.command}\`. Charts: [docs/benchmarks/loadtest.html](benchmarks/loadtest.html); data: [loadtest.json](benchmarks/loadtest.json).`,
    '',
    '| scenario | req/s | p50 (ms) | p99 (ms) | non-2xx (304s count here) |',
    '|---|---:|---:|---:|---:|',
    ...result.scenarios.map(
      (s) =>
        `| ${s.name} | ${s.result.requestsPerSecond} | ${s.result.p50Ms} | ${s.result.p99Ms} | ${s.result.non2xx} |`,
    ),
    '',
    '| ratio | measured | target |',
    '|---|---:|---|',
    ...result.ratios.map((r) => `| ${r.name} | ${r.value} | ${r.target ?? ''} |`),
    '',
    '| stale reads after acknowledged writes | writes | stale |',
    '|---|---:|---:|',
    ...result.stale.map((s) => `| ${s.target} | ${s.writes} | ${s.staleReads} |`),
    '',
    `Thundering herd: ${result.herd.requests} concurrent requests for ${result.herd.keys} keys on a cold cache, over`,
    `${result.herd.instances} instances sharing Redis, cost ${result.herd.databaseQueries} database queries. With Redis paused (every`,
    `request bypassing the cache), the same herd cost ${result.herd.redisPausedQueries} (the floor, one per key per instance, is ${result.herd.keys * result.herd.instances}; without`,
    `shared reads it could be ${result.herd.requests}).`,
  ].join('\n');
}
