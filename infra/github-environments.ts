/**
 * `tsx infra/github-environments.ts owner/name [--dry-run]` (run by `npm run bootstrap`): gives each
 * release environment the protection ENVIRONMENT_PROTECTION names, through the GitHub API with
 * `gh`: deployments only from the listed branches, and the operator as required reviewer where one
 * is required. Without the branch policy any writer's branch could name `environment: prod` and
 * obtain the prod deployer's token; the deploy workflow verifies this before every release.
 */
import { execFileSync } from 'node:child_process';
import { ENVIRONMENT_PROTECTION } from './config/github';

const [repository, ...flags] = process.argv.slice(2);
if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
  console.error('usage: tsx infra/github-environments.ts owner/name [--dry-run]');
  process.exit(2);
}
const dryRun = flags.includes('--dry-run');

function gh(args: readonly string[], body?: unknown): string {
  if (dryRun) {
    console.log(`gh ${args.join(' ')}${body === undefined ? '' : ` <<< '${JSON.stringify(body)}'`}`);
    return args.includes('user') ? '0' : '[]';
  }
  return execFileSync('gh', body === undefined ? args : [...args, '--input', '-'], {
    encoding: 'utf8',
    input: body === undefined ? undefined : JSON.stringify(body),
  }).trim();
}

const reviewer = Object.values(ENVIRONMENT_PROTECTION).some((p) => p.requiredReviewers)
  ? Number(gh(['api', 'user', '--jq', '.id']))
  : undefined;
for (const [name, protection] of Object.entries(ENVIRONMENT_PROTECTION)) {
  const path = `repos/${repository}/environments/${name}`;
  gh(['api', '--method', 'PUT', path], {
    deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    ...(protection.requiredReviewers ? { reviewers: [{ type: 'User', id: reviewer }] } : {}),
  });
  const existing = JSON.parse(
    gh(['api', `${path}/deployment-branch-policies`, '--jq', '[.branch_policies[].name]']) || '[]',
  ) as string[];
  for (const branch of protection.branches.filter((b) => !existing.includes(b)))
    gh(['api', '--method', 'POST', `${path}/deployment-branch-policies`], { name: branch, type: 'branch' });
  console.log(
    `environment ${name}: deploys only from ${protection.branches.join(', ')}${protection.requiredReviewers ? '; you are its required reviewer (add others in Settings → Environments)' : ''}`,
  );
}
