/**
 * Reads synthesized Terraform JSON as Azure will see it: every resource and data source gets the
 * ARM id it will have, so role assignments, data sources and references compare as scopes.
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized JSON has no static type to offer
export type TerraformJson = any;

export interface SynthesizedStack {
  /** The stack's name, e.g. anime-dev or bootstrap. */
  readonly name: string;
  readonly subscription: string;
  readonly json: TerraformJson;
}

/** Terraform types whose ARM id is `<group>/providers/<type>/<name>`. */
const TOP_LEVEL: Readonly<Record<string, string>> = {
  azurerm_application_insights: 'Microsoft.Insights/components',
  azurerm_application_insights_standard_web_test: 'Microsoft.Insights/webtests',
  azurerm_application_insights_workbook: 'Microsoft.Insights/workbooks',
  azurerm_container_registry: 'Microsoft.ContainerRegistry/registries',
  azurerm_data_factory: 'Microsoft.DataFactory/factories',
  azurerm_key_vault: 'Microsoft.KeyVault/vaults',
  azurerm_linux_web_app: 'Microsoft.Web/sites',
  azurerm_log_analytics_workspace: 'Microsoft.OperationalInsights/workspaces',
  azurerm_managed_redis: 'Microsoft.Cache/redisEnterprise',
  azurerm_redis_cache: 'Microsoft.Cache/redis',
  azurerm_monitor_action_group: 'Microsoft.Insights/actionGroups',
  azurerm_monitor_autoscale_setting: 'Microsoft.Insights/autoscaleSettings',
  azurerm_monitor_metric_alert: 'Microsoft.Insights/metricAlerts',
  azurerm_monitor_scheduled_query_rules_alert_v2: 'Microsoft.Insights/scheduledQueryRules',
  azurerm_mssql_server: 'Microsoft.Sql/servers',
  azurerm_nat_gateway: 'Microsoft.Network/natGateways',
  azurerm_network_security_group: 'Microsoft.Network/networkSecurityGroups',
  azurerm_private_dns_zone: 'Microsoft.Network/privateDnsZones',
  azurerm_private_endpoint: 'Microsoft.Network/privateEndpoints',
  azurerm_public_ip: 'Microsoft.Network/publicIPAddresses',
  azurerm_service_plan: 'Microsoft.Web/serverfarms',
  azurerm_storage_account: 'Microsoft.Storage/storageAccounts',
  azurerm_user_assigned_identity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  azurerm_virtual_network: 'Microsoft.Network/virtualNetworks',
};

/** Terraform types that live under a parent: the attribute naming it and the path segment below it. */
const CHILDREN: Readonly<Record<string, { readonly parent: string; readonly segment: string }>> = {
  azurerm_data_factory_dataset_azure_sql_table: { parent: 'data_factory_id', segment: 'datasets' },
  azurerm_data_factory_dataset_delimited_text: { parent: 'data_factory_id', segment: 'datasets' },
  azurerm_data_factory_linked_service_azure_blob_storage: {
    parent: 'data_factory_id',
    segment: 'linkedservices',
  },
  azurerm_data_factory_linked_service_azure_sql_database: {
    parent: 'data_factory_id',
    segment: 'linkedservices',
  },
  azurerm_data_factory_pipeline: { parent: 'data_factory_id', segment: 'pipelines' },
  azurerm_federated_identity_credential: { parent: 'parent_id', segment: 'federatedIdentityCredentials' },
  azurerm_key_vault_secret: { parent: 'key_vault_id', segment: 'secrets' },
  azurerm_mssql_database: { parent: 'server_id', segment: 'databases' },
  azurerm_mssql_firewall_rule: { parent: 'server_id', segment: 'firewallRules' },
  azurerm_mssql_server_extended_auditing_policy: { parent: 'server_id', segment: 'extendedAuditingSettings' },
  azurerm_storage_container: { parent: 'storage_account_id', segment: 'blobServices/default/containers' },
};

/** Associations: the resource they change is the one named by this attribute. */
const ASSOCIATIONS: Readonly<Record<string, string>> = {
  azurerm_nat_gateway_public_ip_association: 'nat_gateway_id',
  azurerm_subnet_nat_gateway_association: 'subnet_id',
  azurerm_subnet_network_security_group_association: 'subnet_id',
};

/** Entra ID (azuread) objects are not ARM resources: the bootstrap's operator creates them. */
const DIRECTORY_TYPES = new Set(['azuread_directory_role', 'azuread_directory_role_assignment']);

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/;

export interface Reference {
  /** `azurerm_x.y` or `data.azurerm_x.y` */
  readonly address: string;
  readonly attribute: string;
}

/** `${azurerm_x.y.attr}` as address and attribute; undefined for anything else (literals, functions). */
export function parseReference(expression: unknown): Reference | undefined {
  if (typeof expression !== 'string') return undefined;
  const match = REFERENCE.exec(expression);
  return match ? { address: match[1]!, attribute: match[2]! } : undefined;
}

/** Every `${a.b.c}` reference anywhere inside a value (for dependencies and linked access). */
export function referencesIn(value: unknown): Reference[] {
  const found: Reference[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string')
      for (const m of v.matchAll(
        /\$\{[^}]*?\b((?:data\.)?(?:azurerm|azuread)_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)/g,
      ))
        found.push({ address: m[1]!, attribute: m[2]! });
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}

export function bodyOf(stack: SynthesizedStack, address: string): TerraformJson {
  const [first, ...rest] = address.split('.');
  const [type, name] = first === 'data' ? rest : [first, rest[0]];
  const body = (first === 'data' ? stack.json.data : stack.json.resource)?.[type!]?.[name!];
  if (!body) throw new Error(`${stack.name} has no ${address}`);
  return body;
}

export function typeOfAddress(address: string): string {
  const parts = address.split('.');
  return parts[0] === 'data' ? parts[1]! : parts[0]!;
}

export function isDirectoryObject(address: string): boolean {
  return DIRECTORY_TYPES.has(typeOfAddress(address));
}

/** A literal, or the literal a reference's `name` resolves to. */
function literal(stack: SynthesizedStack, value: unknown): string {
  const ref = parseReference(value);
  if (!ref)
    return String(value).replace(
      /\$\{((?:data\.)?azurerm_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.(id|name)\}/g,
      (_, address, attribute) =>
        attribute === 'id' ? armId(stack, address) : literal(stack, bodyOf(stack, address).name),
    );
  if (ref.attribute === 'id') return armId(stack, ref.address);
  if (ref.attribute === 'name') return literal(stack, bodyOf(stack, ref.address).name);
  throw new Error(`${stack.name}: cannot resolve ${ref.address}.${ref.attribute} offline`);
}

/** The ARM id a resource or data source has (or will have) in Azure. */
export function armId(stack: SynthesizedStack, address: string): string {
  const type = typeOfAddress(address);
  const body = bodyOf(stack, address);
  const group = () =>
    `/subscriptions/${stack.subscription}/resourceGroups/${literal(stack, body.resource_group_name)}`;
  if (type === 'azurerm_resource_group')
    return `/subscriptions/${stack.subscription}/resourceGroups/${body.name}`;
  if (type === 'azurerm_client_config') return `/subscriptions/${stack.subscription}`;
  const top = TOP_LEVEL[type];
  if (top) return `${group()}/providers/${top}/${literal(stack, body.name)}`;
  const child = CHILDREN[type];
  if (child)
    return `${literal(stack, body[child.parent])}/${child.segment}/${literal(stack, body.name ?? 'default')}`;
  if (type === 'azurerm_subnet')
    return `${group()}/providers/Microsoft.Network/virtualNetworks/${literal(stack, body.virtual_network_name)}/subnets/${body.name}`;
  if (type === 'azurerm_private_dns_zone_virtual_network_link')
    return `${group()}/providers/Microsoft.Network/privateDnsZones/${literal(stack, body.private_dns_zone_name)}/virtualNetworkLinks/${body.name}`;
  if (type === 'azurerm_monitor_diagnostic_setting')
    return `${literal(stack, body.target_resource_id)}/providers/Microsoft.Insights/diagnosticSettings/${body.name}`;
  if (type === 'azurerm_role_assignment')
    return `${literal(stack, body.scope)}/providers/Microsoft.Authorization/roleAssignments/${address}`;
  const association = ASSOCIATIONS[type];
  if (association) return literal(stack, body[association]);
  throw new Error(
    `resource type ${type} is not in the rehearsal's table (pipelines/rehearsal/arm.ts): add its ARM id shape`,
  );
}

/** `Microsoft.Sql/servers/firewallRules` for a firewall rule's id: the type its actions are named by. */
export function resourceTypeOf(id: string): string {
  const at = id.toLowerCase().lastIndexOf('/providers/');
  if (at < 0)
    return id.includes('/resourceGroups/')
      ? 'Microsoft.Resources/subscriptions/resourceGroups'
      : 'Microsoft.Resources/subscriptions';
  const [namespace, ...rest] = id.slice(at + '/providers/'.length).split('/');
  return [namespace, ...rest.filter((_, i) => i % 2 === 0)].join('/');
}

/** The resource group an ARM id is in. */
export function groupOf(id: string): string | undefined {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)?.[0];
}

/** Role assignments are inherited downwards: a grant at `scope` covers `target` and everything in it. */
export function covers(scope: string, target: string): boolean {
  const s = scope.toLowerCase();
  const t = target.toLowerCase();
  return t === s || t.startsWith(`${s}/`);
}

export function addresses(stack: SynthesizedStack, kind: 'resource' | 'data'): string[] {
  const blocks = (kind === 'data' ? stack.json.data : stack.json.resource) ?? {};
  return Object.entries(blocks).flatMap(([type, named]) =>
    Object.keys(named as object).map((name) =>
      kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`,
    ),
  );
}
