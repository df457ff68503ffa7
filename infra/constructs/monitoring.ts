import { ApplicationInsights, Construct, LogAnalyticsWorkspace, MonitorDiagnosticSetting } from '../provider';
import type { Placement } from './common';

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
    });
    this.appInsights = new ApplicationInsights(this, 'app-insights', {
      name: props.appInsightsName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: 'Node.JS',
      workspaceId: this.workspace.id,
    });
  }

  /** All logs and metrics of `targetResourceId` into the workspace. */
  diagnostics(scope: Construct, targetResourceId: string): MonitorDiagnosticSetting {
    return new MonitorDiagnosticSetting(scope, 'diagnostics', {
      name: 'to-log-analytics',
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      enabledLog: [{ categoryGroup: 'allLogs' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
  }
}
