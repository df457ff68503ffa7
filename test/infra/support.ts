// The matchers' types (Testing.setupJest registers them at runtime).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Monitoring } from '../../infra/constructs/monitoring';
import { type Construct, Testing } from '../../infra/provider';

Testing.setupJest();

export const PLACE = { resourceGroupName: 'rg-test', location: 'westeurope' } as const;

export function monitoring(scope: Construct): Monitoring {
  return new Monitoring(scope, 'monitoring', {
    ...PLACE,
    workspaceName: 'log-test',
    appInsightsName: 'appi-test',
  });
}

/** Synthesizes a scope and returns the parsed Terraform JSON. */
export function synth(build: (scope: Construct) => void): {
  json: string;
  resources: Record<string, Record<string, Record<string, unknown>>>;
} {
  const json = Testing.synthScope(build);
  return { json, resources: JSON.parse(json).resource };
}

export function only(
  resources: Record<string, Record<string, Record<string, unknown>>>,
  type: string,
): Record<string, unknown> {
  const all = Object.values(resources[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

/** Synthesized Terraform JSON: untyped by nature, read field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: the synthesized JSON has no static type to offer
export type TerraformJson = any;
