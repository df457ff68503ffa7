import { SqlDatabaseSku } from '../config/skus';
import {
  Construct,
  MssqlDatabase,
  MssqlFirewallRule,
  MssqlServer,
  MssqlServerExtendedAuditingPolicy,
} from '../provider';
import { allowPublicAccess, type Placement, type PublicAccess } from './common';
import type { Monitoring } from './monitoring';
import { type Network, PRIVATE_LINK_ZONES } from './network';

export interface DatabaseProps extends Placement {
  readonly serverName: string;
  readonly databaseName: string;
  /** The Entra ID admin (a group, or the deploying principal). SQL logins are disabled. */
  readonly entraAdmin: { readonly login: string; readonly objectId: string };
  /**
   * The server's identity: a user-assigned one that holds Directory Readers (the bootstrap stack
   * assigns it), so the admin can CREATE USER ... FROM EXTERNAL PROVIDER for managed identities.
   * @default a system-assigned identity (creating Entra users then needs Directory Readers given by hand)
   */
  readonly identityId?: string;
  /** @default SqlDatabaseSku.S0 */
  readonly sku?: SqlDatabaseSku;
  /** @default false; true adds prevent_destroy to the server and the database */
  readonly preventDestroy?: boolean;
  /** Point-in-time restore window. @default 7 */
  readonly backupRetentionDays?: number;
  /** @default off: reachable through private endpoints only */
  readonly publicAccess?: PublicAccess & {
    /** The 0.0.0.0 rule that lets Azure services (App Service, Data Factory) through. @default false */
    readonly allowAzureServices?: boolean;
  };
  /** Gives the server a private endpoint in this network. @default none */
  readonly network?: Network;
  readonly monitoring: Monitoring;
}

/** Azure SQL: Entra-only authentication, TLS 1.2, no public access unless reasoned. */
export class Database extends Construct {
  readonly server: MssqlServer;
  readonly database: MssqlDatabase;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const retention = props.backupRetentionDays ?? 7;
    if (retention < 1 || retention > 35) throw new Error('backupRetentionDays must be between 1 and 35');
    this.server = new MssqlServer(this, 'server', {
      name: props.serverName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version: '12.0',
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: allowPublicAccess(this, props.publicAccess),
      azureadAdministrator: {
        loginUsername: props.entraAdmin.login,
        objectId: props.entraAdmin.objectId,
        azureadAuthenticationOnly: true,
      },
      ...(props.identityId
        ? {
            identity: { type: 'UserAssigned', identityIds: [props.identityId] },
            primaryUserAssignedIdentityId: props.identityId,
          }
        : { identity: { type: 'SystemAssigned' } }),
      lifecycle: { preventDestroy: props.preventDestroy ?? false },
    });
    this.database = new MssqlDatabase(this, 'database', {
      name: props.databaseName,
      serverId: this.server.id,
      skuName: (props.sku ?? SqlDatabaseSku.S0).name,
      shortTermRetentionPolicy: { retentionDays: retention },
      lifecycle: { preventDestroy: props.preventDestroy ?? false },
    });
    // Audit events go to Log Analytics: the policy turns them on, the master database's diagnostic
    // setting carries them (Azure's documented pairing for a Log Analytics target).
    const auditTarget = props.monitoring.diagnostics(this, `${this.server.id}/databases/master`, {
      id: 'audit-diagnostics',
      logs: 'SQLSecurityAuditEvents',
      metrics: false,
    });
    new MssqlServerExtendedAuditingPolicy(this, 'auditing', {
      serverId: this.server.id,
      logMonitoringEnabled: true,
      dependsOn: [auditTarget],
    });
    if (props.publicAccess?.allowAzureServices) {
      new MssqlFirewallRule(this, 'allow-azure-services', {
        name: 'AllowAzureServices',
        serverId: this.server.id,
        startIpAddress: '0.0.0.0',
        endIpAddress: '0.0.0.0',
      });
    }
    props.network?.connect(this, 'private-endpoint', props.serverName, {
      resourceId: this.server.id,
      subresource: 'sqlServer',
      zone: PRIVATE_LINK_ZONES.sqlServer,
    });
    props.monitoring.diagnostics(this, this.database.id);
  }

  /** What the API and the ETL need to connect (Entra ID through the managed identity, no password). */
  get connection() {
    return { server: this.server.fullyQualifiedDomainName, database: this.database.name };
  }
}
