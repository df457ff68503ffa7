import {
  ApplicationInsightsStandardWebTest,
  ApplicationInsightsWorkbook,
  Construct,
  Fn,
  MonitorActionGroup,
  MonitorMetricAlert,
  MonitorScheduledQueryRulesAlertV2,
} from '../provider';
import type { Placement } from './common';
import type { Monitoring } from './monitoring';

export interface AlertThresholds {
  /** Share of requests answered 5xx over 5 minutes. @default 0.05 */
  readonly serverErrorRate?: number;
  /** p95 request duration over 5 minutes, in ms. @default 500 */
  readonly p95LatencyMs?: number;
  /** Cache hit ratio over 15 minutes, below which it counts as a drop. @default 0.5 */
  readonly minCacheHitRatio?: number;
  /** Invalidations waiting in the outbox (the largest any instance reports). @default 100 */
  readonly maxOutboxBacklog?: number;
}

export interface AlertsProps extends Placement {
  /** Derives every name: `ag-`, `webt-`, `alert-<rule>-` and the workbook's. */
  readonly name: string;
  readonly monitoring: Monitoring;
  /** The public base URL of the API (`https://…`); the availability test calls its /health. */
  readonly appUrl: string;
  /** Who gets the alerts. @default none (alerts still show in the portal) */
  readonly email?: string;
  readonly thresholds?: AlertThresholds;
}

/** One alert rule over Application Insights data, as KQL that returns a row when it should fire. */
interface QueryRule {
  readonly id: string;
  readonly description: string;
  readonly severity: number;
  readonly window: 'PT5M' | 'PT15M';
  readonly query: string;
}

/** The KQL behind the alerts and the workbook, from the telemetry the API emits (docs/observability.md). */
function alertQueries(thresholds: AlertThresholds = {}): readonly QueryRule[] {
  const errorRate = thresholds.serverErrorRate ?? 0.05;
  const p95 = thresholds.p95LatencyMs ?? 500;
  const hitRatio = thresholds.minCacheHitRatio ?? 0.5;
  const backlog = thresholds.maxOutboxBacklog ?? 100;
  for (const [name, value] of Object.entries({ errorRate, hitRatio }))
    if (!(value > 0 && value < 1))
      throw new Error(`alert threshold ${name} must be between 0 and 1, got ${value}`);
  return [
    {
      id: 'server-errors',
      description: `More than ${errorRate * 100}% of requests answered 5xx in 5 minutes`,
      severity: 1,
      window: 'PT5M',
      query: `requests
| summarize total = count(), failed = countif(toint(resultCode) >= 500)
| where total >= 20 and todouble(failed) / total > ${errorRate}`,
    },
    {
      id: 'p95-latency',
      description: `p95 request duration above ${p95} ms for 5 minutes`,
      severity: 2,
      window: 'PT5M',
      query: `requests
| summarize p95 = percentile(duration, 95), total = count()
| where total >= 20 and p95 > ${p95}`,
    },
    {
      id: 'cache-hit-ratio',
      description: `Cache hit ratio below ${hitRatio} for 15 minutes`,
      severity: 3,
      window: 'PT15M',
      query: `customMetrics
| where name == "anime.cache.lookups"
| summarize lookups = sum(valueSum), hits = sumif(valueSum, tostring(customDimensions.outcome) == "hit")
| where lookups >= 100 and hits / lookups < ${hitRatio}`,
    },
    {
      id: 'outbox-backlog',
      description: `More than ${backlog} invalidations waiting in the outbox`,
      severity: 2,
      window: 'PT5M',
      query: `customMetrics
| where name == "anime.cache.outbox.backlog"
| summarize backlog = max(valueMax)
| where backlog > ${backlog}`,
    },
  ];
}

const WORKBOOK_PANELS = [
  [
    'Response time (p50, p95)',
    'requests | summarize p50 = percentile(duration, 50), p95 = percentile(duration, 95) by bin(timestamp, 5m) | render timechart',
  ],
  ['Requests', 'requests | summarize count() by bin(timestamp, 5m), resultCode | render timechart'],
  [
    'Failures',
    'requests | where success == false | summarize count() by bin(timestamp, 5m), name | render timechart',
  ],
  [
    'Availability',
    'availabilityResults | summarize availability = 100.0 * countif(success == true) / count() by bin(timestamp, 15m), location | render timechart',
  ],
  [
    'Cache hit ratio',
    'customMetrics | where name == "anime.cache.lookups" | summarize hits = sumif(valueSum, tostring(customDimensions.outcome) == "hit"), lookups = sum(valueSum) by bin(timestamp, 5m) | extend hitRatio = hits / lookups | project timestamp, hitRatio | render timechart',
  ],
] as const;

/**
 * Monitoring as code: an availability test on /health, alert rules for 5xx rate, p95 latency,
 * cache hit ratio and outbox backlog to one action group, and a workbook with the same charts.
 */
export class Alerts extends Construct {
  readonly actionGroup: MonitorActionGroup;
  readonly webTest: ApplicationInsightsStandardWebTest;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    if (!/^https:\/\/[^/\s]+$/.test(props.appUrl) && !props.appUrl.includes('${'))
      throw new Error(`appUrl must be an https:// base URL without a path, got "${props.appUrl}"`);
    if (props.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email))
      throw new Error(`alert email "${props.email}" is not an email address`);
    const place = { resourceGroupName: props.resourceGroupName, location: props.location };
    const appInsights = props.monitoring.appInsights;
    this.actionGroup = new MonitorActionGroup(this, 'action-group', {
      name: `ag-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      shortName: props.name.replace(/[^a-z0-9]/gi, '').slice(0, 12),
      emailReceiver: props.email
        ? [{ name: 'operators', emailAddress: props.email, useCommonAlertSchema: true }]
        : undefined,
    });
    this.webTest = new ApplicationInsightsStandardWebTest(this, 'health', {
      ...place,
      name: `webt-${props.name}-health`,
      applicationInsightsId: appInsights.id,
      // Five locations (Azure's recommended minimum), so one location's trouble is not an outage.
      geoLocations: [
        'emea-nl-ams-azr',
        'emea-gb-db3-azr',
        'emea-fr-pra-edge',
        'emea-se-sto-edge',
        'emea-ch-zrh-edge',
      ],
      frequency: 300,
      timeout: 30,
      retryEnabled: true,
      request: { url: `${props.appUrl}/health` },
      validationRules: { expectedStatusCode: 200, sslCheckEnabled: true, sslCertRemainingLifetime: 7 },
    });
    new MonitorMetricAlert(this, 'availability', {
      name: `alert-availability-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      scopes: [this.webTest.id, appInsights.id],
      description: '/health failed from at least two test locations',
      severity: 1,
      applicationInsightsWebTestLocationAvailabilityCriteria: {
        webTestId: this.webTest.id,
        componentId: appInsights.id,
        failedLocationCount: 2,
      },
      action: [{ actionGroupId: this.actionGroup.id }],
    });
    for (const rule of alertQueries(props.thresholds)) {
      new MonitorScheduledQueryRulesAlertV2(this, rule.id, {
        ...place,
        name: `alert-${rule.id}-${props.name}`,
        description: rule.description,
        severity: rule.severity,
        scopes: [appInsights.id],
        evaluationFrequency: 'PT5M',
        windowDuration: rule.window,
        criteria: [
          {
            query: rule.query,
            timeAggregationMethod: 'Count',
            operator: 'GreaterThan',
            threshold: 0,
            failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
          },
        ],
        autoMitigationEnabled: true,
        action: { actionGroups: [this.actionGroup.id] },
      });
    }
    new ApplicationInsightsWorkbook(this, 'workbook', {
      ...place,
      // Workbook names must be GUIDs; derived, so every apply keeps the same one.
      name: Fn.uuidv5('url', `urn:${props.name}:workbook`),
      displayName: `${props.name} API`,
      sourceId: Fn.lower(appInsights.id),
      category: 'workbook',
      dataJson: JSON.stringify(workbookContent()),
    });
  }
}

/** Workbook JSON (schema version 1): one time-range parameter and a query panel per chart. */
function workbookContent() {
  return {
    version: 'Notebook/1.0',
    items: WORKBOOK_PANELS.map(([title, query]) => ({
      type: 3,
      content: {
        version: 'KqlItem/1.0',
        title,
        query,
        size: 0,
        timeContext: { durationMs: 86_400_000 },
        queryType: 0,
        resourceType: 'microsoft.insights/components',
        visualization: 'timechart',
      },
    })),
    $schema: 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json',
  };
}
