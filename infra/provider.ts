/**
 * The one module through which infra/ imports cdktf, constructs and the azurerm and azuread providers. Moving to
 * the maintained fork (CDK Terrain: `cdktn`, `@cdktn/provider-azurerm`) changes this file only.
 * Deep imports keep synth and type-checking fast (the provider's barrel costs ~6 s and ~30 s).
 */

export { DirectoryRole } from '@cdktf/provider-azuread/lib/directory-role';
export { DirectoryRoleAssignment } from '@cdktf/provider-azuread/lib/directory-role-assignment';
export { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
export { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
export { ApplicationInsightsStandardWebTest } from '@cdktf/provider-azurerm/lib/application-insights-standard-web-test';
export { ApplicationInsightsWorkbook } from '@cdktf/provider-azurerm/lib/application-insights-workbook';
export { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
export { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
export { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
export { DataAzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
export { DataFactory } from '@cdktf/provider-azurerm/lib/data-factory';
export { DataFactoryDatasetAzureSqlTable } from '@cdktf/provider-azurerm/lib/data-factory-dataset-azure-sql-table';
export { DataFactoryDatasetDelimitedText } from '@cdktf/provider-azurerm/lib/data-factory-dataset-delimited-text';
export { DataFactoryLinkedServiceAzureBlobStorage } from '@cdktf/provider-azurerm/lib/data-factory-linked-service-azure-blob-storage';
export { DataFactoryLinkedServiceAzureSqlDatabase } from '@cdktf/provider-azurerm/lib/data-factory-linked-service-azure-sql-database';
export { DataFactoryPipeline } from '@cdktf/provider-azurerm/lib/data-factory-pipeline';
export { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
export { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
export { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
export { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
export { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
export { ManagedRedis } from '@cdktf/provider-azurerm/lib/managed-redis';
export { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
export { MonitorAutoscaleSetting } from '@cdktf/provider-azurerm/lib/monitor-autoscale-setting';
export { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
export { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
export { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
export { MssqlDatabase } from '@cdktf/provider-azurerm/lib/mssql-database';
export { MssqlFirewallRule } from '@cdktf/provider-azurerm/lib/mssql-firewall-rule';
export { MssqlServer } from '@cdktf/provider-azurerm/lib/mssql-server';
export { MssqlServerExtendedAuditingPolicy } from '@cdktf/provider-azurerm/lib/mssql-server-extended-auditing-policy';
export { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
export { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
export { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
export { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
export { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
export { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
export { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
export { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
export { RedisCache } from '@cdktf/provider-azurerm/lib/redis-cache';
export { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
export { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
export { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
export { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
export { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
export { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
export { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
export { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
export { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
export { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
export {
  Annotations,
  App,
  Aspects,
  AzurermBackend,
  Fn,
  type IAspect,
  LocalBackend,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
} from 'cdktf';
export { Construct, type IConstruct } from 'constructs';
