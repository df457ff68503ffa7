import { Construct, KeyVault, KeyVaultSecret, type RoleAssignment } from '../provider';
import {
  allowPublicAccess,
  grantToManagedIdentity,
  type Placement,
  type PublicAccess,
  ROLES,
} from './common';
import type { Monitoring } from './monitoring';
import { type Network, PRIVATE_LINK_ZONES } from './network';

export interface SecretsProps extends Placement {
  readonly name: string;
  readonly tenantId: string;
  /**
   * When every secret expires (ISO 8601). Rotation is a deliberate change, never a surprise 403
   * from Key Vault: the expiry is a reviewed value, not computed at plan time. @default none
   */
  readonly secretsExpireOn?: string;
  /**
   * Addresses allowed through the vault's firewall when it is created (the deploying runner, which
   * writes the secrets in the same apply). Later changes are ignored: the deploy job opens and
   * closes the vault to its own address itself. @default none
   */
  readonly initialIpRules?: string[];
  /** @default false; true adds prevent_destroy, so no plan can delete the vault */
  readonly preventDestroy?: boolean;
  /** @default 90 */
  readonly softDeleteRetentionDays?: number;
  /** @default off */
  readonly publicAccess?: PublicAccess;
  /** Gives the vault a private endpoint in this network. @default none */
  readonly network?: Network;
  readonly monitoring: Monitoring;
}

/** A secret Terraform only passes through: write-only, so neither the plan nor the state holds it. */
export interface WriteOnlyValue {
  readonly writeOnly: string;
  /** Bump to write a new value (write-only arguments are never compared). */
  readonly version: number;
}

/**
 * Key Vault with RBAC, purge protection and a closed network: the app resolves its references
 * through the private endpoint, and a deploy job opens the vault to its own runner address for the
 * length of the job (the workflow adds and removes that rule; Terraform ignores it).
 *
 * Whoever applies Terraform must already hold Key Vault Secrets Officer on the resource group: a
 * role assigned in the same apply takes minutes to propagate and the first secret write would fail
 * (ForbiddenByRbac, azurerm #23927). The bootstrap stack grants it.
 */
export class Secrets extends Construct {
  readonly vault: KeyVault;
  private readonly expiresOn?: string;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    const retention = props.softDeleteRetentionDays ?? 90;
    if (retention < 7 || retention > 90) throw new Error('softDeleteRetentionDays must be between 7 and 90');
    if (props.secretsExpireOn !== undefined && Number.isNaN(Date.parse(props.secretsExpireOn)))
      throw new Error(`secretsExpireOn must be an ISO 8601 date, got "${props.secretsExpireOn}"`);
    this.expiresOn = props.secretsExpireOn;
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
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: props.initialIpRules ?? [] },
      lifecycle: {
        ignoreChanges: ['network_acls[0].ip_rules'],
        preventDestroy: props.preventDestroy ?? false,
      },
    });
    props.network?.connect(this, 'private-endpoint', props.name, {
      resourceId: this.vault.id,
      subresource: 'vault',
      zone: PRIVATE_LINK_ZONES.keyVault,
    });
    props.monitoring.diagnostics(this, this.vault.id);
  }

  /**
   * Stores a secret; returns the app-setting value that references it (never the value itself).
   * A value derived from another resource (already in the state) is a string; one supplied from
   * outside is write-only.
   */
  secret(id: string, name: string, value: string | WriteOnlyValue): string {
    const secret = new KeyVaultSecret(this, id, {
      name,
      ...(typeof value === 'string'
        ? { value }
        : { valueWo: value.writeOnly, valueWoVersion: value.version }),
      keyVaultId: this.vault.id,
      contentType: 'text/plain',
      expirationDate: this.expiresOn,
    });
    return `@Microsoft.KeyVault(SecretUri=${secret.versionlessId})`;
  }

  grantRead(id: string, principalId: string): RoleAssignment {
    return grantToManagedIdentity(this, id, {
      on: this.vault.id,
      role: ROLES.keyVaultSecretsUser,
      principalId,
    });
  }
}
