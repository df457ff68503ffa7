import { Construct, KeyVault, KeyVaultSecret, RoleAssignment } from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess, ROLES } from './common';
import type { Monitoring } from './monitoring';
import { type Network, PRIVATE_LINK_ZONES } from './network';

export interface SecretsProps extends Placement {
  readonly name: string;
  readonly tenantId: string;
  /** The principal that applies Terraform: it writes the secrets. */
  readonly deployerObjectId: string;
  /** @default 90 */
  readonly softDeleteRetentionDays?: number;
  /** @default off */
  readonly publicAccess?: PublicAccess;
  /** Gives the vault a private endpoint in this network. @default none */
  readonly network?: Network;
  readonly monitoring: Monitoring;
}

/** Key Vault with RBAC and purge protection; apps read secrets through Key Vault references. */
export class Secrets extends Construct {
  readonly vault: KeyVault;
  private readonly writer: RoleAssignment;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    const retention = props.softDeleteRetentionDays ?? 90;
    if (retention < 7 || retention > 90) throw new Error('softDeleteRetentionDays must be between 7 and 90');
    this.vault = new KeyVault(this, 'vault', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: retention,
      publicNetworkAccessEnabled: allowPublicAccess(this, props.publicAccess),
    });
    this.writer = new RoleAssignment(this, 'deployer-writes-secrets', {
      scope: this.vault.id,
      roleDefinitionName: ROLES.keyVaultSecretsOfficer,
      principalId: props.deployerObjectId,
    });
    props.network?.connect(this, 'private-endpoint', props.name, {
      resourceId: this.vault.id,
      subresource: 'vault',
      zone: PRIVATE_LINK_ZONES.keyVault,
    });
    props.monitoring.diagnostics(this, this.vault.id);
  }

  /** Stores a secret; returns the app-setting value that references it (never the value itself). */
  secret(id: string, name: string, value: string): string {
    const secret = new KeyVaultSecret(this, id, {
      name,
      value,
      keyVaultId: this.vault.id,
      contentType: 'text/plain',
      dependsOn: [this.writer],
    });
    return `@Microsoft.KeyVault(SecretUri=${secret.versionlessId})`;
  }

  grantRead(id: string, principalId: string): RoleAssignment {
    return new RoleAssignment(this, id, {
      scope: this.vault.id,
      roleDefinitionName: ROLES.keyVaultSecretsUser,
      principalId,
    });
  }
}
