import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderWorkflow, WORKFLOWS } from './render';

/**
 * Writes .github/workflows/*.yml; with --check, fails when the committed files differ instead.
 * --dir points at another folder (the drift test checks a scratch copy, never the working tree).
 */
const HELP = `usage: npm run pipelines:build [-- --check] [-- --dir FOLDER]

Renders the typed workflow definitions (pipelines/) to .github/workflows/*.yml.
  --check       write nothing; exit 1 naming each file that differs from its definition
  --dir FOLDER  render into another folder instead`;
let values: { check?: boolean; dir?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${HELP.split('\n')[0]}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const dir = values.dir ? resolve(values.dir) : join(__dirname, '..', '.github', 'workflows');
const check = values.check;
let stale = 0;
mkdirSync(dir, { recursive: true });
for (const [file, workflow] of Object.entries(WORKFLOWS)) {
  const path = join(dir, file);
  const rendered = renderWorkflow(workflow);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current === rendered) continue;
  if (check) {
    console.error(`${file} differs from pipelines: run npm run pipelines:build`);
    stale++;
  } else {
    writeFileSync(path, rendered);
    console.log(`wrote .github/workflows/${file}`);
  }
}
process.exit(stale ? 1 : 0);
