/** Azure's recommended abbreviations (as azd templates use them), one per resource kind. */
const ABBREVIATIONS = {
  resourceGroup: 'rg',
  logAnalytics: 'log',
  appInsights: 'appi',
  sqlServer: 'sql',
  sqlDatabase: 'sqldb',
  redis: 'redis',
  containerRegistry: 'cr',
  keyVault: 'kv',
  servicePlan: 'plan',
  webApp: 'app',
  autoscale: 'as',
  storageAccount: 'st',
  dataFactory: 'adf',
  virtualNetwork: 'vnet',
  managedIdentity: 'id',
  natGateway: 'ng',
  publicIp: 'pip',
  actionGroup: 'ag',
  webTest: 'webt',
  workbook: 'wb',
} as const;

export type ResourceKind = keyof typeof ABBREVIATIONS;

/** Kinds whose names allow only lowercase letters and digits. */
const ALPHANUMERIC_ONLY = new Set<ResourceKind>(['containerRegistry', 'storageAccount']);
const MAX_LENGTH: Partial<Record<ResourceKind, number>> = {
  keyVault: 24,
  storageAccount: 24,
  containerRegistry: 50,
};

export interface NamingInput {
  readonly workload: string;
  readonly environment: string;
  /** Makes globally unique names (ACR, Key Vault, storage, web app, SQL, Redis) unique. */
  readonly resourceToken: string;
}

/** Every resource name of one environment, from one place. Throws on names Azure would refuse. */
export function resourceName(kind: ResourceKind, input: NamingInput): string {
  const parts = [ABBREVIATIONS[kind], input.workload, input.environment, input.resourceToken];
  const name = ALPHANUMERIC_ONLY.has(kind) ? parts.join('').replace(/[^a-z0-9]/g, '') : parts.join('-');
  const max = MAX_LENGTH[kind] ?? 60;
  if (name.length > max) throw new Error(`${kind} name "${name}" is longer than ${max} characters`);
  return name;
}

export type ResourceNames = { readonly [K in ResourceKind]: string };

export function resourceNames(input: NamingInput): ResourceNames {
  return Object.fromEntries(
    (Object.keys(ABBREVIATIONS) as ResourceKind[]).map((kind) => [kind, resourceName(kind, input)]),
  ) as ResourceNames;
}
