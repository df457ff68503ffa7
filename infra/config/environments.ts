import type { CacheFlavour } from '../constructs/cache';
import { type ResourceNames, resourceNames } from './naming';

export type EnvironmentName = 'dev' | 'prod';

/** Everything that differs between environments. Delivery pipelines read names from here too. */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly location: string;
  /** Lowercase letters and digits; makes globally unique names unique. Change it for your fork. */
  readonly resourceToken: string;
  readonly sqlSku: string;
  readonly sqlBackupRetentionDays: number;
  readonly redis: CacheFlavour;
  readonly appServiceSku: string;
  readonly instances: { readonly minimum: number; readonly maximum: number; readonly default: number };
  readonly registrySku: 'Basic' | 'Standard' | 'Premium';
  readonly logRetentionDays: number;
  /** The VNet's range; distinct per environment, so they could be peered later. */
  readonly vnetAddressSpace: string;
  /**
   * The built-in profile of the CSV Data Factory ingests. Chosen here only: it becomes the copy
   * mapping and the app's INGEST_PROFILE, from which the app generates the merge procedure.
   */
  readonly ingestProfile: string;
}

export const WORKLOAD = 'anime';
export const IMAGE_REPOSITORY = 'anime-api';
export const DATASET_CONTAINER = 'datasets';
export const DATASET_BLOB = 'animes.csv';

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  dev: {
    name: 'dev',
    location: 'westeurope',
    resourceToken: 'a7k2',
    sqlSku: 'S0',
    sqlBackupRetentionDays: 7,
    redis: { flavour: 'managed', sku: 'Balanced_B0' },
    appServiceSku: 'B1',
    instances: { minimum: 1, maximum: 2, default: 1 },
    registrySku: 'Basic',
    logRetentionDays: 30,
    vnetAddressSpace: '10.40.0.0/16',
    ingestProfile: 'kaggle-animes',
  },
  prod: {
    name: 'prod',
    location: 'westeurope',
    resourceToken: 'a7k2',
    sqlSku: 'S2',
    sqlBackupRetentionDays: 35,
    redis: { flavour: 'managed', sku: 'Balanced_B1' },
    appServiceSku: 'P0v3',
    // At least two instances, so the cache's multi-instance coherence is exercised for real.
    instances: { minimum: 2, maximum: 6, default: 2 },
    registrySku: 'Standard',
    logRetentionDays: 90,
    vnetAddressSpace: '10.41.0.0/16',
    ingestProfile: 'kaggle-animes',
  },
};

/** The names of one environment's resources (for infra/ and for the delivery pipelines). */
export function namesFor(environment: EnvironmentName): ResourceNames {
  const config = ENVIRONMENTS[environment];
  if (!/^[a-z0-9]{3,8}$/.test(config.resourceToken))
    throw new Error(`resourceToken of ${environment} must be 3-8 lowercase letters or digits`);
  return resourceNames({ workload: WORKLOAD, environment, resourceToken: config.resourceToken });
}

/** The ACR login server, derived like Azure derives it. */
export function registryLoginServer(environment: EnvironmentName): string {
  return `${namesFor(environment).containerRegistry}.azurecr.io`;
}
