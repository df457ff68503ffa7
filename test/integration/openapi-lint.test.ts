import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ROOT } from '../support/cli';
import { createTestApp } from '../support/test-app';

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
// Offline and quiet: no telemetry, no update check.
const ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_COLOR: '1',
};

function redocly(file: string): { errors: number; warnings: number; problems: string[] } {
  const run = spawnSync(
    bin('redocly'),
    ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'],
    {
      env: ENV,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
  return { ...report.totals, problems: report.problems.map((p) => `${p.ruleId}: ${p.message}`) };
}

function spectral(file: string): string[] {
  const run = spawnSync(
    bin('spectral'),
    ['lint', file, '-r', join(ROOT, '.spectral.yaml'), '-f', 'json', '-q'],
    {
      env: ENV,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const text = run.stdout.trim();
  const results = (text.startsWith('[') ? JSON.parse(text) : []) as { code: string; message: string }[];
  if (!text.startsWith('[') && run.status !== 0) throw new Error(`spectral failed: ${run.stderr}`);
  return results.map((r) => `${r.code}: ${r.message}`);
}

/** The document as served, linted by Redocly CLI (recommended) and Spectral (spectral:oas). */
describe('the OpenAPI document lints clean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  let document: Record<string, unknown>;
  beforeAll(async () => {
    const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    document = (await request(ctx.server).get('/openapi.json').expect(200)).body;
    await ctx.platform.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('0 errors and 0 warnings in both', () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const red = redocly(file);
    expect(red.problems).toEqual([]);
    expect([red.errors, red.warnings]).toEqual([0, 0]);
    expect(spectral(file)).toEqual([]);
  }, 180_000);

  it('negative control: the same linters report a document without servers, license or an operation description', () => {
    const broken = structuredClone(document) as {
      servers?: unknown;
      info: { license?: unknown };
      paths: Record<string, Record<string, { description?: string }>>;
    };
    delete broken.servers;
    delete broken.info.license;
    delete broken.paths['/animes']!.get!.description;
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const red = redocly(file);
    expect(red.problems.join('\n')).toMatch(/no-empty-servers/);
    expect(red.problems.join('\n')).toMatch(/info-license/);
    expect(spectral(file).join('\n')).toMatch(/operation-description/);
  }, 180_000);
});
