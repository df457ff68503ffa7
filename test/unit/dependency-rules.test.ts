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
      ['api', 'catalogue', 'etl', 'infra', 'pipelines', 'test', '--config', CONFIG, '--output-type', 'err'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out).toMatch(/no dependency violations found/);
  });

  it('accept a tree that follows them (the negative control)', () => {
    expect(
      brokenRules({
        'catalogue/definition.ts': leaf,
        'api/core/service.ts': importing('../../catalogue/definition'),
        'api/adapters/store.ts': importing('../core/service'),
        'api/http/route.ts': importing('../core/service'),
        'api/composition/root.ts': importing('../adapters/store'),
      }),
    ).toEqual([]);
  });

  it.each([
    ['core-is-inward', { 'api/adapters/a.ts': leaf, 'api/core/c.ts': importing('../adapters/a') }],
    ['http-calls-core', { 'api/composition/w.ts': leaf, 'api/http/h.ts': importing('../composition/w') }],
    [
      'only-composition-roots-import-adapters',
      { 'api/adapters/a.ts': leaf, 'api/observability/o.ts': importing('../adapters/a') },
    ],
    [
      'dataset-definition-is-the-ground-floor',
      { 'api/core/v.ts': leaf, 'catalogue/p.ts': importing('../api/core/v') },
    ],
    [
      'etl-uses-core-ports',
      { 'api/composition/store.ts': leaf, 'etl/load.ts': importing('../api/composition/store') },
    ],
    [
      'api-library-does-not-import-etl',
      { 'etl/load.ts': leaf, 'api/http/seed.ts': importing('../../etl/load') },
    ],
    ['infra-and-api-are-apart', { 'api/config.ts': leaf, 'infra/stack.ts': importing('../api/config') }],
    ['api-does-not-import-infra', { 'infra/stack.ts': leaf, 'api/main.ts': importing('../infra/stack') }],
    [
      'no-cycles',
      {
        'etl/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'etl/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      },
    ],
  ])('catch a planted break of %s', (rule, files) => {
    expect(brokenRules(files)).toContain(rule);
  });
});
