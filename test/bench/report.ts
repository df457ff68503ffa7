import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const DOC = join(__dirname, '..', '..', 'docs', 'benchmarks.md');

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Replaces one section of docs/benchmarks.md (between its markers), keeping the others. */
export function writeSection(name: string, markdown: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc =
      '# Benchmarks\n\nEvery figure is measured against a baseline in the same run, because shared machines are noisy.\n';
  }
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const at = doc.indexOf(begin);
  doc =
    at >= 0
      ? doc.slice(0, at) + block + doc.slice(doc.indexOf(end) + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}

/** `x` to `digits` decimal places, for figures in reports. */
export function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

/** The nearest-rank percentile `p` (0-100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
