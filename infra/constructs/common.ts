import { suppress } from '../policy/platform-policy';
import type { Construct } from '../provider';

/** Where every construct of one environment lives. */
export interface Placement {
  readonly resourceGroupName: string;
  readonly location: string;
}

/**
 * Public network access is off unless this is given. The reason is recorded as a policy
 * suppression, so every exposure is written down next to the resource.
 */
export interface PublicAccess {
  readonly reason: string;
}

export function allowPublicAccess(scope: Construct, access: PublicAccess | undefined): boolean {
  if (!access) return false;
  suppress(scope, { id: 'NO_PUBLIC_NETWORK', reason: access.reason });
  return true;
}

/** Built-in Azure role names used by the platform. */
export const ROLES = {
  acrPull: 'AcrPull',
  keyVaultSecretsUser: 'Key Vault Secrets User',
  keyVaultSecretsOfficer: 'Key Vault Secrets Officer',
  storageBlobDataReader: 'Storage Blob Data Reader',
  storageBlobDataContributor: 'Storage Blob Data Contributor',
  monitoringMetricsPublisher: 'Monitoring Metrics Publisher',
} as const;
