import type { EnvironmentName } from './environments';

/**
 * What the deploy workflow presents to Azure, in one place: the bootstrap stack creates a federated
 * credential for each subject, and the workflow tests check every job that logs in against them.
 */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'api://AzureADTokenExchange';

/** GitHub environments the deploy jobs run in (GitHub creates them on first use). */
export const GITHUB_ENVIRONMENTS = {
  /** Plan only, no approval: what the reviewer of the release reads. */
  plan: (env: EnvironmentName) => `${env}-plan`,
  /** Apply and release; give `prod` required reviewers in the repository settings. */
  release: (env: EnvironmentName) => env,
} as const;

/** The repository secret holding each identity's client id (the bootstrap prints their values). */
export const CLIENT_ID_SECRETS = {
  deployer: (env: EnvironmentName) => `AZURE_CLIENT_ID_${env.toUpperCase()}`,
  planner: 'AZURE_PLANNER_CLIENT_ID',
} as const;

/** The OIDC subject of a job: its environment if it has one, else the pull request or the ref. */
export function oidcSubject(
  repository: string,
  job: { readonly environment?: string; readonly event: 'pull_request' | 'push' },
): string {
  if (job.environment) return `repo:${repository}:environment:${job.environment}`;
  return job.event === 'pull_request'
    ? `repo:${repository}:pull_request`
    : `repo:${repository}:ref:refs/heads/main`;
}

/** What a GitHub environment lets through: the branches that may deploy to it, and whether a reviewer must approve. */
export interface EnvironmentProtection {
  readonly branches: readonly string[];
  readonly requiredReviewers: boolean;
}

/**
 * The protection each release environment must have. The bootstrap sets it through the GitHub API,
 * the deploy workflow verifies it before any release, and the rehearsal assumes it. Plan
 * environments have none: only the read-only planner trusts them.
 */
export const ENVIRONMENT_PROTECTION: Readonly<Record<string, EnvironmentProtection>> = {
  [GITHUB_ENVIRONMENTS.release('dev')]: { branches: ['main'], requiredReviewers: false },
  [GITHUB_ENVIRONMENTS.release('prod')]: { branches: ['main'], requiredReviewers: true },
};
