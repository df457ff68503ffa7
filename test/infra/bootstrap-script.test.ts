import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CLIENT_ID_SECRETS } from '../../infra/config/github';
import { BOOTSTRAP_OUTPUTS } from '../../infra/stacks/bootstrap-stack';

/**
 * `npm run bootstrap` as an operator meets it, with az, terraform, gh and npm replaced by recorders
 * (Azure and GitHub cannot be reached here): it retries an apply that failed on Entra ID's
 * replication delay, fails at once on anything else, and sets the release environments' protection.
 */
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

function stubs(failMode: 'replication-once' | 'other' | 'none') {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const log = join(dir, 'calls.log');
  const outputs = Object.fromEntries(
    [
      ...Object.values(BOOTSTRAP_OUTPUTS),
      CLIENT_ID_SECRETS.deployer('dev'),
      CLIENT_ID_SECRETS.deployer('prod'),
    ].map((n) => [n, { value: `value-of-${n}` }]),
  );
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  write(
    'az',
    `echo "az $*" >> "${log}"; [ "$*" = "account show --query id -o tsv" ] && echo 11111111-2222-3333-4444-555555555555; exit 0`,
  );
  write('npm', `echo "npm $*" >> "${log}"`);
  write(
    'terraform',
    `echo "terraform $*" >> "${log}"
case "$*" in
  *" apply "*)
    n=$(( $(cat "${dir}/applies" 2>/dev/null || echo 0) + 1 )); echo $n > "${dir}/applies"
    if [ "${failMode}" = replication-once ] && [ $n -eq 1 ]; then echo 'Error: Could not create directory role assignment: DirectoryRoleAssignmentsClient.BaseClient.Post(): unexpected status 400: Resource id-anime-dev-sql does not exist or one of its queried reference-property objects are not present.'; exit 1; fi
    if [ "${failMode}" = other ]; then echo 'Error: AuthorizationFailed: the client does not have authorization'; exit 1; fi ;;
  *"output -json"*) echo '${JSON.stringify(outputs)}' ;;
esac`,
  );
  write(
    'gh',
    `input=""; if [[ " $* " == *" --input - "* ]]; then input=$(cat); fi; echo "gh $* $input" >> "${log}"
case "$*" in *"api user"*) echo 4242 ;; *"deployment-branch-policies --jq"*) echo '[]' ;; *) echo '{}' ;; esac`,
  );
  return { dir, log, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

async function bootstrap(failMode: 'replication-once' | 'other' | 'none') {
  const s = stubs(failMode);
  try {
    const result = await run('bash', [join(ROOT, 'infra/bootstrap.sh')], {
      env: {
        ...process.env,
        PATH: `${s.dir}:${process.env.PATH}`,
        GITHUB_REPOSITORY: 'octo/anime-platform',
        BOOTSTRAP_RETRY_SECONDS: '0',
        BOOTSTRAP_AUTO_APPROVE: '1',
      },
      timeout: 60_000,
    }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        output: e.stdout + e.stderr,
      }),
    );
    return { ...result, calls: s.calls() };
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
}

describe('npm run bootstrap', () => {
  it("retries an apply that failed on Entra ID's replication delay, then protects the release environments", async () => {
    const { code, output, calls } = await bootstrap('replication-once');
    expect(code).toBe(0);
    expect(calls.filter((c) => c.includes(' apply '))).toHaveLength(2);
    expect(output).toContain('Entra ID has not replicated a new identity yet (attempt 1 of 3)');
    const prod = calls.find((c) =>
      c.startsWith('gh api --method PUT repos/octo/anime-platform/environments/prod'),
    )!;
    expect(JSON.parse(prod.slice(prod.indexOf('{')))).toEqual({
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      reviewers: [{ type: 'User', id: 4242 }],
    });
    for (const env of ['dev', 'prod'])
      expect(calls).toContain(
        `gh api --method POST repos/octo/anime-platform/environments/${env}/deployment-branch-policies --input - {"name":"main","type":"branch"}`,
      );
    expect(output).toContain(
      `gh secret set ${CLIENT_ID_SECRETS.deployer('prod')} --repo octo/anime-platform`,
    );
  }, 90_000);

  it('negative control: any other apply failure stops at once, naming how to continue', async () => {
    const { code, output, calls } = await bootstrap('other');
    expect(code).toBe(1);
    expect(calls.filter((c) => c.includes(' apply '))).toHaveLength(1);
    expect(output).toContain('run npm run bootstrap again: it continues where it stopped');
    expect(calls.some((c) => c.startsWith('gh '))).toBe(false);
  }, 90_000);
});
