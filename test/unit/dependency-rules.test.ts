import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** depcruise with our rules over a tree of one-line modules; returns the names of broken rules. */
function brokenRules(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dep-rules-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), '{"compilerOptions":{"module":"commonjs"}}');
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    const out = execFileSync(
      DEPCRUISE,
      [
        ...new Set(Object.keys(files).map((f) => f.split('/')[0]!)),
        '--config',
        CONFIG,
        '--output-type',
        'json',
      ],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const report = JSON.parse(out) as { summary: { violations: { rule: { name: string } }[] } };
    return [...new Set(report.summary.violations.map((v) => v.rule.name))].sort();
  } catch (error) {
    // depcruise exits non-zero when rules break; the report is still on stdout.
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (!stdout) throw new Error(`depcruise failed: ${stderr}`);
    const out = stdout;
    const report = JSON.parse(out) as { summary: { violations: { rule: { name: string } }[] } };
    return [...new Set(report.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const leaf = 'export const x = 1;\n';
const importing = (path: string) => `import { x } from '${path}';\nexport const y = x;\n`;

describe('the dependency rules (dependency-cruiser)', () => {
  it('pass the repository as it is', () => {
    const out = execFileSync(
      DEPCRUISE,
      [
        'api',
        'platform',
        'composition',
        'cli',
        'catalogue',
        'etl',
        'infra',
        'pipelines',
        'test',
        '--config',
        CONFIG,
        '--output-type',
        'err',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out).toMatch(/no dependency violations found/);
  });

  it('accept a tree that follows them (the negative control)', () => {
    expect(
      brokenRules({
        'catalogue/definition.ts': leaf,
        'platform/core/service.ts': importing('../../catalogue/definition'),
        'platform/adapters/store.ts': importing('../core/service'),
        'etl/load.ts': importing('../platform/core/service'),
        'composition/root.ts': importing('../platform/adapters/store'),
        'composition/seed.ts': importing('../etl/load'),
        'api/http/route.ts': importing('../../platform/core/service'),
        'api/main.ts': importing('../composition/seed'),
        'cli/etl.ts': importing('../composition/root'),
      }),
    ).toEqual([]);
  });

  it.each([
    ['core-is-inward', { 'platform/adapters/a.ts': leaf, 'platform/core/c.ts': importing('../adapters/a') }],
    ['http-calls-core', { 'composition/w.ts': leaf, 'api/http/h.ts': importing('../../composition/w') }],
    [
      'only-composition-roots-import-adapters',
      { 'platform/adapters/a.ts': leaf, 'platform/observability/o.ts': importing('../adapters/a') },
    ],
    [
      'dataset-definition-is-the-ground-floor',
      { 'platform/core/v.ts': leaf, 'catalogue/p.ts': importing('../platform/core/v') },
    ],
    [
      'platform-is-below-its-users',
      { 'api/http/h.ts': leaf, 'platform/config.ts': importing('../api/http/h') },
    ],
    [
      'platform-is-below-its-users',
      { 'etl/load.ts': leaf, 'platform/core/seed.ts': importing('../../etl/load') },
    ],
    [
      'etl-uses-core-ports',
      { 'composition/store.ts': leaf, 'etl/load.ts': importing('../composition/store') },
    ],
    ['api-and-etl-are-apart', { 'etl/load.ts': leaf, 'api/main.ts': importing('../etl/load') }],
    [
      'composition-does-not-import-the-api',
      { 'api/http/h.ts': leaf, 'composition/p.ts': importing('../api/http/h') },
    ],
    [
      'infra-and-api-are-apart',
      { 'platform/config.ts': leaf, 'infra/stack.ts': importing('../platform/config') },
    ],
    ['api-does-not-import-infra', { 'infra/stack.ts': leaf, 'api/main.ts': importing('../infra/stack') }],
  ])('catch a planted break of %s', (rule, files) => {
    expect(brokenRules(files)).toContain(rule);
  });
});
