import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKFLOWS } from '../../pipelines/render';
import { ROOT } from '../support/cli';

/**
 * One Node.js line for everything that runs our code: .nvmrc names it, and the package's engines,
 * the image's base and every workflow's setup-node follow it (Node 20 left its LTS in April 2026).
 */
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const LTS = Number(read('.nvmrc').trim());

describe('the Node.js version', () => {
  it('.nvmrc names an even (LTS) major at or above 22', () => {
    expect(LTS % 2).toBe(0);
    expect(LTS).toBeGreaterThanOrEqual(22);
  });

  it('package.json engines start at that major', () => {
    expect(JSON.parse(read('package.json')).engines.node).toBe(`>=${LTS}`);
  });

  it("the Dockerfile's runtime is that major", () => {
    expect(/^ARG NODE_IMAGE=node:(\d+)-/m.exec(read('Dockerfile'))?.[1]).toBe(String(LTS));
  });

  it('every setup-node step of every workflow reads .nvmrc', () => {
    const steps = Object.keys(WORKFLOWS).flatMap((file) =>
      Object.values(
        (parse(read(join('.github', 'workflows', file))) as { jobs: Record<string, { steps?: unknown[] }> })
          .jobs,
      ).flatMap((job) => (job.steps ?? []) as { uses?: string; with?: Record<string, unknown> }[]),
    );
    const setups = steps.filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setups.length).toBeGreaterThan(0);
    for (const step of setups) expect(step.with).toMatchObject({ 'node-version-file': '.nvmrc' });
    for (const step of setups) expect(step.with).not.toHaveProperty('node-version');
  });
});
