import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderWorkflow, WORKFLOWS } from './render';

/**
 * Writes .github/workflows/*.yml; with --check, fails when the committed files differ instead.
 * --dir points at another folder (the drift test checks a scratch copy, never the working tree).
 */
const { values } = parseArgs({
  options: { check: { type: 'boolean', default: false }, dir: { type: 'string' } },
});
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
