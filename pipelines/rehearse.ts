/**
 * `npm run deploy:rehearse`: replays the deploy workflow offline against the synthesized stacks
 * and prints who does what, where, with which role, minute by minute, then every finding. Exits 1
 * on a finding.
 */
import { rehearsalInput } from './rehearsal/input';
import { rehearse, type Scenario, writersOutside } from './rehearsal/rehearse';
import { renderWalk } from './rehearsal/report';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm run deploy:rehearse [-- --verbose]

Replays the deploy workflow offline against the synthesized stacks (first run, second run, a
manual ETL run, a pull request) and prints who does what, where, with which role, minute by
minute, then every finding: a step without the permission it needs, a token that expires before
its step, a job outside an environment's release that could write to it. Exit 1 on a finding.
  --verbose   every step, not only those that need a permission`);
  process.exit(0);
}
const input = rehearsalInput();
const runs: [Scenario, string][] = [
  ['first-run', ''],
  ['second-run', ''],
  ['second-run', 'etl'],
  ['pull-request', ''],
];
let failed = 0;
for (const [scenario, loader] of runs) {
  const { walk, findings } = rehearse(input, scenario, { loader });
  console.log(`\n## ${scenario}${loader ? ` (workflow_dispatch, loader=${loader})` : ''}\n`);
  console.log(renderWalk(walk, process.argv.includes('--verbose')));
  for (const f of findings) console.log(`FINDING ${f.message}`);
  failed += findings.length;
}
const abuse = [...writersOutside(input, 'prod'), ...writersOutside(input, 'dev')];
console.log("\n## who can write outside each environment's own release\n");
for (const f of abuse) console.log(`FINDING ${f.message}`);
if (!abuse.length) console.log("no job outside dev's or prod's own release can write to it");
failed += abuse.length;
console.log(
  failed
    ? `\n${failed} finding(s)`
    : '\nno findings: every step holds what it needs, while its token is valid',
);
process.exit(failed ? 1 : 0);
