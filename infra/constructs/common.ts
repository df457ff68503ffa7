import { suppress } from '../policy/platform-policy';
import { type Construct, RoleAssignment } from '../provider';

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
  reader: 'Reader',
  rbacAdministrator: 'Role Based Access Control Administrator',
  managedIdentityOperator: 'Managed Identity Operator',
  acrPull: 'AcrPull',
  keyVaultSecretsUser: 'Key Vault Secrets User',
  keyVaultSecretsOfficer: 'Key Vault Secrets Officer',
  storageBlobDataReader: 'Storage Blob Data Reader',
  storageBlobDataContributor: 'Storage Blob Data Contributor',
  monitoringMetricsPublisher: 'Monitoring Metrics Publisher',
} as const;

/**
 * A built-in role for a managed identity created in the same apply. Declaring the principal type
 * spares ARM a directory lookup that can miss a just-created identity while it replicates
 * (PrincipalNotFound on a first deploy).
 */
export function grantToManagedIdentity(
  scope: Construct,
  id: string,
  grant: {
    readonly on: string;
    readonly role: (typeof ROLES)[keyof typeof ROLES];
    readonly principalId: string;
  },
): RoleAssignment {
  return new RoleAssignment(scope, id, {
    scope: grant.on,
    roleDefinitionName: grant.role,
    principalId: grant.principalId,
    principalType: 'ServicePrincipal',
  });
}
