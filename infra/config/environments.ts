import { createHash } from 'node:crypto';
import type { CacheFlavour } from '../constructs/cache';
import { type ResourceNames, resourceName, resourceNames } from './naming';
import { AppServiceSku, ManagedRedisSku, RegistrySku, SqlDatabaseSku } from './skus';

export type EnvironmentName = 'dev' | 'prod';

/** Everything that differs between environments. */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly location: string;
  /**
   * Lowercase letters and digits that make globally unique names unique. @default derived from the
   * subscription and the environment (as azd's uniqueString), so forks never collide
   */
  readonly resourceToken?: string;
  readonly sqlSku: SqlDatabaseSku;
  readonly sqlBackupRetentionDays: number;
  readonly redis: CacheFlavour;
  readonly appServiceSku: AppServiceSku;
  readonly instances: { readonly minimum: number; readonly maximum: number; readonly default: number };
  readonly registrySku: RegistrySku;
  readonly logRetentionDays: number;
  /** The VNet's range; distinct per environment, so they could be peered later. */
  readonly vnetAddressSpace: string;
  /**
   * The built-in profile of the CSV Data Factory ingests. Chosen here only: it becomes the copy
   * mapping and the app's INGEST_PROFILE, from which the app generates the merge procedure.
   */
  readonly ingestProfile: string;
  /** prevent_destroy on the database, the vault and their data; blob versioning and soft delete. */
  readonly protectData: boolean;
  /** When the secrets Terraform writes expire (ISO date); rotate them before. */
  readonly secretsExpireOn: string;
  /** Where alerts go. @default ALERT_EMAIL at synth, else no email receiver (alerts still fire in the portal) */
  readonly alertEmail?: string;
}

export const WORKLOAD = 'anime';
export const IMAGE_REPOSITORY = 'anime-api';
export const DATASET_CONTAINER = 'datasets';
export const DATASET_BLOB = 'animes.csv';

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  dev: {
    name: 'dev',
    location: 'westeurope',
    sqlSku: SqlDatabaseSku.S0,
    sqlBackupRetentionDays: 7,
    redis: { flavour: 'managed', sku: ManagedRedisSku.BALANCED_B0 },
    appServiceSku: AppServiceSku.B1,
    instances: { minimum: 1, maximum: 2, default: 1 },
    registrySku: RegistrySku.BASIC,
    logRetentionDays: 30,
    vnetAddressSpace: '10.40.0.0/16',
    ingestProfile: 'kaggle-animes',
    protectData: false,
    secretsExpireOn: '2027-12-31T00:00:00Z',
    alertEmail: process.env.ALERT_EMAIL || undefined,
  },
  prod: {
    name: 'prod',
    location: 'westeurope',
    sqlSku: SqlDatabaseSku.S2,
    sqlBackupRetentionDays: 35,
    redis: { flavour: 'managed', sku: ManagedRedisSku.BALANCED_B1 },
    appServiceSku: AppServiceSku.P0v3,
    // At least two instances, so the cache's multi-instance coherence is exercised for real.
    instances: { minimum: 2, maximum: 6, default: 2 },
    registrySku: RegistrySku.STANDARD,
    logRetentionDays: 90,
    vnetAddressSpace: '10.41.0.0/16',
    ingestProfile: 'kaggle-animes',
    protectData: true,
    secretsExpireOn: '2027-12-31T00:00:00Z',
    alertEmail: process.env.ALERT_EMAIL || undefined,
  },
};

/** Offline synth (tests, a laptop) has no subscription; names derived from it are placeholders. */
export const PLACEHOLDER_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

/** The subscription names derive from: ARM_SUBSCRIPTION_ID, as the azurerm provider reads it. */
export function targetSubscription(): string {
  return process.env.ARM_SUBSCRIPTION_ID || PLACEHOLDER_SUBSCRIPTION;
}

/** A stable 6-character token per subscription and scope, like azd's uniqueString(subscription, env). */
function derivedToken(subscriptionId: string, scope: string): string {
  return createHash('sha256')
    .update(`${subscriptionId.toLowerCase()}/${WORKLOAD}/${scope}`)
    .digest('hex')
    .slice(0, 6);
}

function tokenOf(config: EnvironmentConfig, subscriptionId: string): string {
  const token = config.resourceToken ?? derivedToken(subscriptionId, config.name);
  if (!/^[a-z0-9]{3,8}$/.test(token))
    throw new Error(
      `resourceToken of ${config.name} must be 3-8 lowercase letters or digits, got "${token}"`,
    );
  return token;
}

/** The names of one environment's resources (the platform stack and the bootstrap stack agree on them). */
export function namesFor(
  environment: EnvironmentName | EnvironmentConfig,
  subscriptionId: string = targetSubscription(),
): ResourceNames {
  const config = typeof environment === 'string' ? ENVIRONMENTS[environment] : environment;
  return resourceNames({
    workload: WORKLOAD,
    environment: config.name,
    resourceToken: tokenOf(config, subscriptionId),
  });
}

/** What the bootstrap stack creates once per subscription and the platform stacks find by name. */
export function bootstrapNames(subscriptionId: string = targetSubscription()) {
  const input = {
    workload: WORKLOAD,
    environment: 'bootstrap',
    resourceToken: derivedToken(subscriptionId, 'bootstrap'),
  };
  return {
    resourceGroup: resourceName('resourceGroup', input),
    stateAccount: resourceName('storageAccount', input),
    /** One state container per environment, so a state grant can be scoped to one environment. */
    stateContainer: (env: EnvironmentName) => `tfstate-${env}`,
    planner: resourceName('managedIdentity', { ...input, environment: 'planner' }),
    deployer: (env: EnvironmentName) =>
      resourceName('managedIdentity', { ...input, environment: `${env}-deployer` }),
    activityLogWorkspace: resourceName('logAnalytics', { ...input, environment: 'activity' }),
    sqlIdentity: (env: EnvironmentName) =>
      resourceName('managedIdentity', { ...input, environment: `${env}-sql` }),
  };
}
