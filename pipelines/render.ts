import { stringify } from 'yaml';
import { ci } from './ci';
import { deploy } from './deploy';
import type { Workflow } from './workflow';

export const WORKFLOWS: Readonly<Record<string, Workflow>> = { 'ci.yml': ci, 'deploy.yml': deploy };

const HEADER = '# Generated from pipelines by `npm run pipelines:build`. Do not edit by hand.\n';

export function renderWorkflow(workflow: Workflow): string {
  return HEADER + stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false });
}
