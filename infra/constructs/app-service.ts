import { AppServiceSku } from '../config/skus';
import { Construct, LinuxWebApp, MonitorAutoscaleSetting, ServicePlan } from '../provider';
import {
  allowPublicAccess,
  grantToManagedIdentity,
  type Placement,
  type PublicAccess,
  ROLES,
} from './common';
import type { Monitoring } from './monitoring';
import type { Network } from './network';

export interface InstanceCount {
  readonly minimum: number;
  readonly maximum: number;
  readonly default: number;
}

export interface AppServiceProps extends Placement {
  readonly planName: string;
  readonly appName: string;
  readonly autoscaleName: string;
  /** @default AppServiceSku.B1 */
  readonly sku?: AppServiceSku;
  readonly registry: { readonly id: string; readonly loginServer: string };
  readonly imageRepository: string;
  /**
   * The tag Terraform creates the app with. The deploy pipeline owns the tag after that (Terraform
   * ignores later changes), so an apply never rolls back a deployed image. @default 'bootstrap'
   */
  readonly bootstrapTag?: string;
  /** Plain settings; anything secret-looking must be a Key Vault reference (the policy checks). */
  readonly appSettings: Readonly<Record<string, string>>;
  /**
   * CPU-based autoscale bounds where the SKU supports autoscale; on Basic the plan runs a fixed
   * `default` workers. @default { minimum: 1, maximum: 3, default: 1 }
   */
  readonly instances?: InstanceCount;
  /** The API is public by design, but the construct still wants that said. @default off */
  readonly publicAccess?: PublicAccess;
  /**
   * Integrates the app into this network's app subnet and routes all its outbound traffic (Key
   * Vault references and image pulls included) through it, to reach private endpoints. @default none
   */
  readonly network?: Network;
  readonly monitoring: Monitoring;
}

/** The API container on a Linux plan: managed identity for ACR and Key Vault, HTTPS and TLS 1.2 only. */
export class AppService extends Construct {
  readonly plan: ServicePlan;
  readonly app: LinuxWebApp;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const instances = props.instances ?? { minimum: 1, maximum: 3, default: 1 };
    if (
      !(
        instances.minimum >= 1 &&
        instances.minimum <= instances.default &&
        instances.default <= instances.maximum
      )
    )
      throw new Error('instances must satisfy 1 <= minimum <= default <= maximum');
    const sku = props.sku ?? AppServiceSku.B1;
    const limit = sku.supportsAutoscale ? instances.maximum : instances.default;
    if (limit > sku.maxInstances)
      throw new Error(`the ${sku.name} plan runs at most ${sku.maxInstances} instances, asked for ${limit}`);
    // Spread over availability zones where the SKU can and there are instances to spread.
    const zoneBalanced = sku.supportsZoneRedundancy && instances.minimum >= 2;
    this.plan = new ServicePlan(this, 'plan', {
      name: props.planName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      osType: 'Linux',
      skuName: sku.name,
      // Autoscale owns the count where it exists; setting it here too would fight it on every apply.
      // Zone balancing needs at least two workers at create, so it starts at the minimum, and later
      // applies ignore the count autoscale changes.
      ...(zoneBalanced
        ? {
            zoneBalancingEnabled: true,
            workerCount: instances.minimum,
            lifecycle: { ignoreChanges: ['worker_count'] },
          }
        : { workerCount: sku.supportsAutoscale ? undefined : instances.default }),
    });
    this.app = new LinuxWebApp(this, 'app', {
      name: props.appName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      servicePlanId: this.plan.id,
      httpsOnly: true,
      // Deploys go through the container image alone; no publishing credentials exist.
      ftpPublishBasicAuthenticationEnabled: false,
      webdeployPublishBasicAuthenticationEnabled: false,
      publicNetworkAccessEnabled: allowPublicAccess(this, props.publicAccess),
      identity: { type: 'SystemAssigned' },
      virtualNetworkSubnetId: props.network?.appSubnet.id,
      siteConfig: {
        vnetRouteAllEnabled: props.network ? true : undefined,
        alwaysOn: sku.supportsAlwaysOn,
        ftpsState: 'Disabled',
        minimumTlsVersion: '1.2',
        scmMinimumTlsVersion: '1.2',
        http2Enabled: true,
        healthCheckPath: '/health',
        healthCheckEvictionTimeInMin: 5,
        containerRegistryUseManagedIdentity: true,
        applicationStack: {
          dockerImageName: `${props.imageRepository}:${props.bootstrapTag ?? 'bootstrap'}`,
          dockerRegistryUrl: `https://${props.registry.loginServer}`,
        },
      },
      appSettings: { WEBSITES_PORT: '8080', ...props.appSettings },
      lifecycle: { ignoreChanges: ['site_config[0].application_stack[0].docker_image_name'] },
    });
    grantToManagedIdentity(this, 'pulls-images', {
      on: props.registry.id,
      role: ROLES.acrPull,
      principalId: this.principalId,
    });
    // Basic plans cannot autoscale (Azure refuses the setting); they keep the fixed worker count.
    if (sku.supportsAutoscale) this.autoscale(props, instances);
    props.monitoring.diagnostics(this, this.app.id);
  }

  get principalId(): string {
    return this.app.identity.principalId;
  }

  private autoscale(props: AppServiceProps, instances: InstanceCount): void {
    new MonitorAutoscaleSetting(this, 'autoscale', {
      name: props.autoscaleName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      targetResourceId: this.plan.id,
      profile: [
        {
          name: 'cpu',
          capacity: {
            minimum: instances.minimum,
            maximum: instances.maximum,
            default: instances.default,
          },
          rule: [
            this.cpuRule('GreaterThan', 70, 'Increase', 'PT5M'),
            this.cpuRule('LessThan', 30, 'Decrease', 'PT10M'),
          ],
        },
      ],
    });
  }

  private cpuRule(operator: string, threshold: number, direction: string, cooldown: string) {
    return {
      metricTrigger: {
        metricName: 'CpuPercentage',
        metricResourceId: this.plan.id,
        operator,
        threshold,
        statistic: 'Average',
        timeAggregation: 'Average',
        timeGrain: 'PT1M',
        timeWindow: 'PT5M',
      },
      scaleAction: { direction, type: 'ChangeCount', value: 1, cooldown },
    };
  }
}
