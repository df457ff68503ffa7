import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWorkflow, WORKFLOWS } from './render';

/** Writes .github/workflows/*.yml; with --check, fails when the committed files differ instead. */
const root = join(__dirname, '..', '..');
const dir = join(root, '.github', 'workflows');
const check = process.argv.includes('--check');
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
    console.error(`${file} differs from pipelines/delivery: run npm run pipelines:build`);
    stale++;
  } else {
    writeFileSync(path, rendered);
    console.log(`wrote .github/workflows/${file}`);
  }
}
process.exit(stale ? 1 : 0);
