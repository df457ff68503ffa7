import {
  ApplicationInsights,
  Construct,
  LogAnalyticsWorkspace,
  MonitorDiagnosticSetting,
  type RoleAssignment,
} from '../provider';
import { grantToManagedIdentity, type Placement, ROLES } from './common';

export interface MonitoringProps extends Placement {
  readonly workspaceName: string;
  readonly appInsightsName: string;
  /** @default 30 */
  readonly retentionInDays?: number;
}

/** A Log Analytics workspace and a workspace-based Application Insights; every construct sends diagnostics here. */
export class Monitoring extends Construct {
  readonly workspace: LogAnalyticsWorkspace;
  readonly appInsights: ApplicationInsights;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const retention = props.retentionInDays ?? 30;
    if (retention < 30 || retention > 730) throw new Error('retentionInDays must be between 30 and 730');
    this.workspace = new LogAnalyticsWorkspace(this, 'workspace', {
      name: props.workspaceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: 'PerGB2018',
      retentionInDays: retention,
      // Queries and ingestion with Entra identities only; no workspace keys.
      localAuthenticationEnabled: false,
    });
    this.appInsights = new ApplicationInsights(this, 'app-insights', {
      name: props.appInsightsName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: 'Node.JS',
      workspaceId: this.workspace.id,
      // Ingestion takes Entra tokens only: the app sends with its managed identity, which needs
      // Monitoring Metrics Publisher here (grantPublish), so a leaked connection string sends nothing.
      localAuthenticationDisabled: true,
    });
  }

  /** Lets a principal (the app's managed identity) send telemetry to Application Insights. */
  grantPublish(scope: Construct, principalId: string): RoleAssignment {
    return grantToManagedIdentity(scope, 'publishes-telemetry', {
      on: this.appInsights.id,
      role: ROLES.monitoringMetricsPublisher,
      principalId,
    });
  }

  /** All logs and metrics of `targetResourceId` into the workspace. */
  diagnostics(
    scope: Construct,
    targetResourceId: string,
    options: {
      readonly id?: string;
      /** One log category, or none; @default the allLogs category group */
      readonly logs?: string | false;
      /** @default true */
      readonly metrics?: boolean;
    } = {},
  ): MonitorDiagnosticSetting {
    const logs = options.logs ?? 'allLogs';
    return new MonitorDiagnosticSetting(scope, options.id ?? 'diagnostics', {
      name: 'to-log-analytics',
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      ...(logs === false
        ? {}
        : { enabledLog: [logs === 'allLogs' ? { categoryGroup: 'allLogs' } : { category: logs }] }),
      ...(options.metrics === false ? {} : { enabledMetric: [{ category: 'AllMetrics' }] }),
    });
  }
}
