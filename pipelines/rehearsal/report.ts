import type { WalkEntry } from './rehearse';
import { short } from './rehearse';

/** The walk as a table a reader follows: minute, job, step, identity, and each need with its grant. */
export function renderWalk(walk: readonly WalkEntry[], verbose = false): string {
  const lines = ['| minute | job | step | identity | needs → granted by |', '|---:|---|---|---|---|'];
  for (const entry of walk) {
    if (!entry.needs.length && !verbose) continue;
    const grouped = new Map<string, number>();
    for (const { need, grant } of entry.needs) {
      const key = grant
        ? `${grant.role} on ${short(grant.scope)}`
        : `**MISSING** ${need.action} on ${short(need.scope)}`;
      grouped.set(key, (grouped.get(key) ?? 0) + 1);
    }
    const needs = [...grouped].map(([k, n]) => (n > 1 ? `${k} (×${n})` : k)).join('; ');
    lines.push(`| ${entry.minute} | ${entry.job} | ${entry.step} | ${entry.identity} | ${needs} |`);
  }
  return lines.join('\n');
}
