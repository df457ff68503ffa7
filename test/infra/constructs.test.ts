import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { AppServiceSku, RegistrySku } from '../../infra/config/skus';
import { AppService } from '../../infra/constructs/app-service';
import { Cache } from '../../infra/constructs/cache';
import { IngestFactory } from '../../infra/constructs/data-factory';
import { Database } from '../../infra/constructs/database';
import { Secrets } from '../../infra/constructs/key-vault';
import { Network, PRIVATE_LINK_ZONES } from '../../infra/constructs/network';
import { Registry } from '../../infra/constructs/registry';
import { DatasetStorage } from '../../infra/constructs/storage';
import {
  ContainerRegistry,
  DataFactory,
  KeyVault,
  LinuxWebApp,
  ManagedRedis,
  MonitorAutoscaleSetting,
  MonitorDiagnosticSetting,
  MssqlServer,
  RedisCache,
  RoleAssignment,
  StorageAccount,
  StorageContainer,
} from '../../infra/provider';
import { monitoring, only, PLACE, synth, type TerraformJson } from './support';

describe('constructs are secure by default', () => {
  it('Database: Entra-only admin, TLS 1.2, no public access, backups, diagnostics', () => {
    const { json, resources } = synth((scope) => {
      new Database(scope, 'db', {
        ...PLACE,
        serverName: 'sql-x',
        databaseName: 'sqldb-x',
        entraAdmin: { login: 'admins', objectId: '00000000-0000-0000-0000-000000000001' },
        monitoring: monitoring(scope),
      });
    });
    expect(json).toHaveResourceWithProperties(MssqlServer, {
      minimum_tls_version: '1.2',
      public_network_access_enabled: false,
    });
    expect(only(resources, 'azurerm_mssql_server').azuread_administrator).toMatchObject({
      azuread_authentication_only: true,
    });
    expect(only(resources, 'azurerm_mssql_database').short_term_retention_policy).toEqual({
      retention_days: 7,
    });
    expect(resources.azurerm_mssql_firewall_rule).toBeUndefined();
    expect(json).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      enabled_log: [{ category_group: 'allLogs' }],
    });
  });

  it('Database: rejects an out-of-range backup retention early', () => {
    expect(() =>
      synth((scope) => {
        new Database(scope, 'db', {
          ...PLACE,
          serverName: 's',
          databaseName: 'd',
          entraAdmin: { login: 'a', objectId: 'o' },
          backupRetentionDays: 90,
          monitoring: monitoring(scope),
        });
      }),
    ).toThrow(/backupRetentionDays/);
  });

  it('Cache: Managed Redis by default, encrypted, clustered, private; classic Redis TLS-only', () => {
    const managed = synth((scope) => {
      new Cache(scope, 'cache', { ...PLACE, name: 'redis-x', monitoring: monitoring(scope) });
    });
    expect(managed.json).toHaveResourceWithProperties(ManagedRedis, {
      public_network_access: 'Disabled',
      high_availability_enabled: true,
    });
    expect(only(managed.resources, 'azurerm_managed_redis').default_database).toMatchObject({
      client_protocol: 'Encrypted',
      clustering_policy: 'OSSCluster',
      eviction_policy: 'VolatileLRU',
    });
    const classic = synth((scope) => {
      new Cache(scope, 'cache', {
        ...PLACE,
        name: 'redis-y',
        redis: { flavour: 'classic', sku: 'Standard', family: 'C', capacity: 1 },
        monitoring: monitoring(scope),
      });
    });
    expect(classic.json).toHaveResourceWithProperties(RedisCache, {
      non_ssl_port_enabled: false,
      minimum_tls_version: '1.2',
      public_network_access_enabled: false,
    });
  });

  it('Registry: no admin user, no anonymous pull; a Basic registry must say why it is public', () => {
    const { json } = synth((scope) => {
      new Registry(scope, 'cr', {
        ...PLACE,
        name: 'crx',
        sku: RegistrySku.PREMIUM,
        monitoring: monitoring(scope),
      });
    });
    expect(json).toHaveResourceWithProperties(ContainerRegistry, {
      admin_enabled: false,
      anonymous_pull_enabled: false,
      public_network_access_enabled: false,
    });
    expect(() =>
      synth((scope) => {
        new Registry(scope, 'cr', { ...PLACE, name: 'crx', monitoring: monitoring(scope) });
      }),
    ).toThrow(/cannot disable public access/);
  });

  it('Secrets: RBAC, purge protection, references instead of values', () => {
    let reference = '';
    const { json } = synth((scope) => {
      const secrets = new Secrets(scope, 'kv', {
        ...PLACE,
        name: 'kv-x',
        tenantId: 't',
        monitoring: monitoring(scope),
      });
      reference = secrets.secret('s', 'jwt-secret', 'value-from-a-variable');
      secrets.grantRead('reader', 'principal');
    });
    expect(json).toHaveResourceWithProperties(KeyVault, {
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      public_network_access_enabled: false,
    });
    expect(reference).toMatch(/^@Microsoft\.KeyVault\(SecretUri=/);
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets User',
    });
  });

  it('AppService: HTTPS only, TLS 1.2, FTPS off, health check, managed identity pulls, CPU autoscale', () => {
    const { json, resources } = synth((scope) => {
      new AppService(scope, 'app', {
        ...PLACE,
        planName: 'plan-x',
        appName: 'app-x',
        autoscaleName: 'as-x',
        registry: { id: 'acr-id', loginServer: 'crx.azurecr.io' },
        imageRepository: 'anime-api',
        appSettings: { NODE_ENV: 'production' },
        sku: AppServiceSku.S1,
        instances: { minimum: 2, maximum: 4, default: 2 },
        monitoring: monitoring(scope),
      });
    });
    expect(json).toHaveResourceWithProperties(LinuxWebApp, {
      https_only: true,
      public_network_access_enabled: false,
      identity: { type: 'SystemAssigned' },
    });
    const site = only(resources, 'azurerm_linux_web_app').site_config as Record<string, unknown>;
    expect(site).toMatchObject({
      minimum_tls_version: '1.2',
      scm_minimum_tls_version: '1.2',
      ftps_state: 'Disabled',
      health_check_path: '/health',
      always_on: true,
      container_registry_use_managed_identity: true,
    });
    expect(only(resources, 'azurerm_linux_web_app').lifecycle).toEqual({
      ignore_changes: ['site_config[0].application_stack[0].docker_image_name'],
    });
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'AcrPull',
      scope: 'acr-id',
    });
    expect(json).toHaveResource(MonitorAutoscaleSetting);
    const autoscale = only(resources, 'azurerm_monitor_autoscale_setting') as {
      profile: { capacity: unknown; rule: unknown[] }[];
    };
    expect(autoscale.profile[0]!.capacity).toEqual({ minimum: 2, maximum: 4, default: 2 });
    expect(autoscale.profile[0]!.rule).toHaveLength(2);
  });

  it('AppService: refuses inconsistent instance counts', () => {
    expect(() =>
      synth((scope) => {
        new AppService(scope, 'app', {
          ...PLACE,
          planName: 'p',
          appName: 'a',
          autoscaleName: 's',
          registry: { id: 'r', loginServer: 'l' },
          imageRepository: 'i',
          appSettings: {},
          instances: { minimum: 3, maximum: 2, default: 2 },
          monitoring: monitoring(scope),
        });
      }),
    ).toThrow(/minimum <= default <= maximum/);
  });

  it('DatasetStorage: HTTPS, TLS 1.2, no shared keys, no public blobs, private container', () => {
    const { json } = synth((scope) => {
      new DatasetStorage(scope, 'st', {
        ...PLACE,
        accountName: 'stx',
        containerName: 'datasets',
        monitoring: monitoring(scope),
      });
    });
    expect(json).toHaveResourceWithProperties(StorageAccount, {
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      public_network_access_enabled: false,
    });
    expect(json).toHaveResourceWithProperties(StorageContainer, { container_access_type: 'private' });
  });
});

describe('network', () => {
  const network = (scope: Parameters<Parameters<typeof synth>[0]>[0], addressSpace?: string) =>
    new Network(scope, 'network', { ...PLACE, name: 'vnet-x', addressSpace });

  it('splits its range into an app subnet delegated to App Service and a private-endpoint subnet', () => {
    const { resources } = synth((scope) => {
      network(scope, '192.168.8.0/22');
    });
    const subnets = Object.values(resources.azurerm_subnet!) as TerraformJson[];
    expect(subnets.map((s) => [s.name, s.address_prefixes])).toEqual([
      ['snet-app', ['192.168.8.0/24']],
      ['snet-private-endpoints', ['192.168.9.0/24']],
    ]);
    expect(subnets[0]!.delegation[0].service_delegation.name).toBe('Microsoft.Web/serverFarms');
    expect(subnets.every((s) => s.default_outbound_access_enabled === false)).toBe(true);
  });

  it.each(['10.0.0.0/8', '10.0.0.0/26', '10.0.0/16', '300.1.0.0/16'])(
    'rejects the range %s early',
    (range) => {
      expect(() => synth((scope) => void network(scope, range))).toThrow(
        /addressSpace must be an IPv4 range/,
      );
    },
  );

  it('gives SQL, Redis (managed or classic) and Key Vault private endpoints, one DNS zone per service, linked', () => {
    const { resources } = synth((scope) => {
      const net = network(scope);
      const mon = monitoring(scope);
      new Database(scope, 'db', {
        ...PLACE,
        serverName: 'sql-x',
        databaseName: 'sqldb-x',
        entraAdmin: { login: 'a', objectId: '00000000-0000-0000-0000-000000000001' },
        network: net,
        monitoring: mon,
      });
      new Cache(scope, 'managed', { ...PLACE, name: 'redis-a', network: net, monitoring: mon });
      new Cache(scope, 'classic', {
        ...PLACE,
        name: 'redis-b',
        redis: { flavour: 'classic', sku: 'Standard', family: 'C', capacity: 1 },
        network: net,
        monitoring: mon,
      });
      new Secrets(scope, 'kv', {
        ...PLACE,
        name: 'kv-x',
        tenantId: 't',
        network: net,
        monitoring: mon,
      });
      new Secrets(scope, 'kv2', {
        ...PLACE,
        name: 'kv-y',
        tenantId: 't',
        network: net,
        monitoring: mon,
      });
    });
    const endpoints = Object.values(resources.azurerm_private_endpoint!) as TerraformJson[];
    const targets = endpoints.map((e) => [e.name, e.private_service_connection.subresource_names[0]]);
    expect(targets.sort()).toEqual([
      ['pe-kv-x', 'vault'],
      ['pe-kv-y', 'vault'],
      ['pe-redis-a', 'redisEnterprise'],
      ['pe-redis-b', 'redisCache'],
      ['pe-sql-x', 'sqlServer'],
    ]);
    const zones = Object.values(resources.azurerm_private_dns_zone!).map((z) => z.name);
    expect(zones.sort()).toEqual(Object.values(PRIVATE_LINK_ZONES).sort());
    expect(Object.keys(resources.azurerm_private_dns_zone_virtual_network_link!)).toHaveLength(zones.length);
    expect(endpoints.every((e) => e.private_service_connection.is_manual_connection === false)).toBe(true);
  });

  it('integrates the app into the app subnet and routes all its traffic through it', () => {
    const { resources } = synth((scope) => {
      new AppService(scope, 'app', {
        ...PLACE,
        planName: 'plan',
        appName: 'app',
        autoscaleName: 'as',
        registry: { id: 'acr-id', loginServer: 'acr.azurecr.io' },
        imageRepository: 'anime-api',
        appSettings: {},
        network: network(scope),
        monitoring: monitoring(scope),
      });
    });
    const app = only(resources, 'azurerm_linux_web_app') as TerraformJson;
    expect(app.virtual_network_subnet_id).toMatch(/azurerm_subnet\.network_app_/);
    expect(app.site_config.vnet_route_all_enabled).toBe(true);
  });
});

describe('monitoring and ingest', () => {
  it('Monitoring: a workspace-based Application Insights', () => {
    const { resources } = synth((scope) => {
      monitoring(scope);
    });
    expect(String(only(resources, 'azurerm_application_insights').workspace_id)).toContain(
      'azurerm_log_analytics_workspace.',
    );
    expect(only(resources, 'azurerm_log_analytics_workspace').retention_in_days).toBe(30);
  });

  it('IngestFactory: managed identity everywhere, no public network, reads blobs with a role', () => {
    const { json, resources } = synth((scope) => {
      new IngestFactory(scope, 'adf', {
        ...PLACE,
        name: 'adf-x',
        storage: {
          accountId: 'st-id',
          blobEndpoint: 'https://st.blob.core.windows.net/',
          container: 'datasets',
          blob: 'animes.csv',
        },
        sql: { server: 'sql.database.windows.net', database: 'db' },
        profile: kaggleAnimes,
        monitoring: monitoring(scope),
      });
    });
    expect(json).toHaveResourceWithProperties(DataFactory, {
      public_network_enabled: false,
      identity: { type: 'SystemAssigned' },
    });
    expect(
      only(resources, 'azurerm_data_factory_linked_service_azure_blob_storage').use_managed_identity,
    ).toBe(true);
    const sql = only(resources, 'azurerm_data_factory_linked_service_azure_sql_database');
    expect(sql.use_managed_identity).toBe(true);
    expect(String(sql.connection_string)).not.toMatch(/password|pwd/i);
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Storage Blob Data Reader',
      scope: 'st-id',
    });
  });
});

describe('one import module', () => {
  it('routes every cdktf, constructs and provider import through infra/provider.ts', () => {
    const root = join(__dirname, '..', '..', 'infra');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && f !== 'provider.ts',
    );
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) =>
      /from '(cdktf|constructs|@cdktf\/[^']+)'/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
    expect(readFileSync(join(root, 'provider.ts'), 'utf8')).not.toMatch(/from '@cdktf\/provider-azurerm'/);
  });
});
