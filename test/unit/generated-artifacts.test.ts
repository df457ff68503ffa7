import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runTs } from '../support/cli';

/**
 * Every generated artifact (the typed client, the workflows, the mapping schema) comes from one
 * `npm run generate`, and `npm run generate:check` fails when a committed one has drifted: both
 * in the fast tier, so a change that forgot to regenerate fails before the integration tier.
 */
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const steps = (script: string) => scripts[script]!.split('&&').map((step) => step.trim());

describe('generated artifacts', () => {
  it('generate:check checks exactly what generate writes', () => {
    expect(steps('generate').length).toBeGreaterThanOrEqual(3);
    expect(steps('generate:check')).toEqual(steps('generate').map((step) => `${step} -- --check`));
    // Each step is a generator with a --check of its own.
    for (const step of steps('generate')) expect(scripts[step.replace('npm run ', '')]).toBeDefined();
  });

  it('the committed files are what the generators write (npm run generate:check)', () => {
    const check = spawnSync('npm', ['run', '-s', 'generate:check'], { cwd: ROOT, encoding: 'utf8' });
    expect([check.status, check.stderr]).toEqual([0, '']);
  }, 120_000);

  it('reports client types that drifted from the document the API serves (negative control)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-drift-'));
    try {
      const drifted = join(dir, 'anime-api.ts');
      const text = readFileSync(join(ROOT, 'api', 'client', 'anime-api.ts'), 'utf8');
      writeFileSync(drifted, text.replace('"If-Match"?:', '"If-Matched"?:'));
      const check = runTs('api/client/generate.ts', ['--check', drifted]);
      expect([check.code, check.stderr]).toEqual([1, expect.stringContaining('out of date')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the mapping schema constrains synonym targets and leaves the source to the profile', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'catalogue', 'mapping.schema.json'), 'utf8'));
    expect(schema.properties.fields.properties.type.properties.synonyms.additionalProperties.enum).toContain(
      'ONA',
    );
    expect(schema.properties.fields.required).toEqual(['sourceId', 'title', 'type']);
    // Every mapping file names the namespace of its ids; no CSV column can be mapped to it.
    expect(schema.required).toContain('source');
    expect(schema.properties.source.pattern).toBe('^[a-z0-9][a-z0-9_-]*$');
    expect(schema.properties.fields.properties.source).toBeUndefined();
  });
});
