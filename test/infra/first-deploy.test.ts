import { ingestActivities } from '../../catalogue/data-factory';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { ENVIRONMENTS, type EnvironmentName, namesFor } from '../../infra/config/environments';
import { oidcSubject } from '../../infra/config/github';
import { AppServiceSku, ManagedRedisSku, RegistrySku, SqlDatabaseSku } from '../../infra/config/skus';
import { Testing } from '../../infra/provider';
import { BootstrapStack, DELEGABLE_ROLES } from '../../infra/stacks/bootstrap-stack';
import { OUTPUTS, PlatformStack } from '../../infra/stacks/platform-stack';
import { deploy } from '../../pipelines/deploy';
import { renderWorkflow } from '../../pipelines/render';
import { ACTIONS, type Job, TERRAFORM_VERSION } from '../../pipelines/workflow';
import { grantBatches } from '../../platform/adapters/mssql/database-users';
import { mergeProcedure } from '../../platform/adapters/mssql/merge-procedure';
import './support';
import type { TerraformJson } from './support';

/**
 * The first push, checked offline: each numbered first-run blocker of issue 15 and each "would
 * misbehave" item, over the synthesized Terraform JSON and the rendered workflow.
 */
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const REPOSITORY = 'octo/anime-platform';

function platform(
  env: EnvironmentName,
  options: Partial<ConstructorParameters<typeof PlatformStack>[2]> = {},
) {
  const app = Testing.app();
  const stack = new PlatformStack(app, `anime-${env}`, {
    environment: ENVIRONMENTS[env],
    subscriptionId: SUBSCRIPTION,
    ...options,
  });
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}
function bootstrap(): TerraformJson {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new BootstrapStack(app, 'bootstrap', { subscriptionId: SUBSCRIPTION })));
}
const all = (json: TerraformJson, type: string): [string, TerraformJson][] =>
  Object.entries(json.resource[type] ?? {}) as [string, TerraformJson][];
const values = (json: TerraformJson, type: string): TerraformJson[] => all(json, type).map(([, v]) => v);

const dev = platform('dev');
const prod = platform('prod');
const boot = bootstrap();
const jobs = deploy.jobs as Record<string, Job>;

/** The subject a job presents, as GitHub forms it (environment, else pull request, else the ref). */
function subjectOf(job: Job): string {
  const event = job.if?.includes("== 'pull_request'") ? 'pull_request' : 'push';
  return oidcSubject(REPOSITORY, { environment: job.environment?.name, event });
}
/** The secret a job takes its Azure client id from. */
function clientIdSecretOf(job: Job): string {
  const login = job.steps.find((s) => 'uses' in s && s.uses === ACTIONS.azureLogin) as TerraformJson;
  return /secrets\.([A-Z_]+)/.exec(login.with['client-id'])![1]!;
}
/** The bootstrap identity whose client id the named output holds, and the subjects it trusts. */
function trustedSubjects(secret: string): string[] {
  const output = boot.output[secret]?.value as string | undefined;
  if (!output) return [];
  const identity = /azurerm_user_assigned_identity\.([\w-]+)\.client_id/.exec(output)![1]!;
  return values(boot, 'azurerm_federated_identity_credential')
    .filter((c) => c.parent_id === `\${azurerm_user_assigned_identity.${identity}.id}`)
    .map((c) => (c.subject as string).replace('${var.github_repository}', REPOSITORY));
}

describe('1. OIDC: every subject a job presents has a federated credential on the identity it logs in as', () => {
  const loggingIn = Object.entries(jobs).filter(([, job]) =>
    job.steps.some((s) => 'uses' in s && s.uses === ACTIONS.azureLogin),
  );

  it.each(loggingIn)('%s', (_id, job) => {
    expect(trustedSubjects(clientIdSecretOf(job))).toContain(subjectOf(job));
  });

  it('negative control: a main-branch job without an environment would not be trusted', () => {
    const { environment: _dropped, ...withoutEnvironment } = jobs['release-dev']!;
    expect(subjectOf(withoutEnvironment)).toBe(`repo:${REPOSITORY}:ref:refs/heads/main`);
    expect(trustedSubjects(clientIdSecretOf(withoutEnvironment))).not.toContain(
      subjectOf(withoutEnvironment),
    );
  });

  it('pull requests log in as the planner; each environment as its own deployer', () => {
    expect(clientIdSecretOf(jobs['plan-pr-prod']!)).toBe('AZURE_PLANNER_CLIENT_ID');
    expect(clientIdSecretOf(jobs['release-dev']!)).toBe('AZURE_CLIENT_ID_DEV');
    expect(clientIdSecretOf(jobs['release-prod']!)).toBe('AZURE_CLIENT_ID_PROD');
    expect(trustedSubjects('AZURE_CLIENT_ID_PROD')).not.toContain(`repo:${REPOSITORY}:environment:dev`);
  });
});

/** Role assignments of the bootstrap, as [role, scope expression, principal expression]. */
const grants = values(boot, 'azurerm_role_assignment').map(
  (r) => [r.role_definition_name, r.scope, r.principal_id, r.condition] as [string, string, string, string?],
);
const principal = (identity: string) => `\${azurerm_user_assigned_identity.${identity}.principal_id}`;

describe('2. state access and the other data-plane roles, granted before the first apply', () => {
  it("each deployer writes its own environment's state container, never the other's; the planner reads both", () => {
    const container = (env: string) => `\${azurerm_storage_container.${env}-state-container.id}`;
    for (const env of ['dev', 'prod']) {
      expect(grants).toContainEqual([
        'Storage Blob Data Contributor',
        container(env),
        principal(`${env}-deployer`),
        undefined,
      ]);
      expect(grants).toContainEqual([
        'Storage Blob Data Reader',
        container(env),
        principal('planner'),
        undefined,
      ]);
    }
    expect(grants.filter((g) => g[1] === container('prod') && g[2] === principal('dev-deployer'))).toEqual(
      [],
    );
    expect(dev.terraform.backend.local).toBeDefined();
  });

  it('deployers hold Secrets Officer and blob upload on their resource group (7, 8); the UAA role is constrained', () => {
    for (const env of ['dev', 'prod']) {
      const group = `\${azurerm_resource_group.${env}-group.id}`;
      for (const role of ['Contributor', 'Key Vault Secrets Officer', 'Storage Blob Data Contributor'])
        expect(grants).toContainEqual([role, group, principal(`${env}-deployer`), undefined]);
      const delegation = grants.find(
        (g) => g[0] === 'Role Based Access Control Administrator' && g[1] === group,
      )!;
      for (const id of Object.values(DELEGABLE_ROLES)) expect(delegation[3]).toContain(id);
    }
    expect(grants.some((g) => g[0] === 'User Access Administrator' || g[0] === 'Owner')).toBe(false);
  });

  it('the state account: Entra only, versioned, soft delete, prevent_destroy', () => {
    const [state] = values(boot, 'azurerm_storage_account');
    expect(state).toMatchObject({
      shared_access_key_enabled: false,
      blob_properties: { versioning_enabled: true, delete_retention_policy: { days: 30 } },
      lifecycle: { prevent_destroy: true },
    });
  });
});

describe('3. the app starts on the first deploy', () => {
  it('the SQL server runs as the bootstrap identity that holds Directory Readers', () => {
    const [server] = values(dev, 'azurerm_mssql_server');
    expect(server.identity.type).toBe('UserAssigned');
    expect(server.primary_user_assigned_identity_id).toBe(
      '${data.azurerm_user_assigned_identity.sql-identity.id}',
    );
    const [role] = values(boot, 'azuread_directory_role');
    expect(role.display_name).toBe('Directory Readers');
    const assignments = values(boot, 'azuread_directory_role_assignment').map((a) => a.principal_object_id);
    expect(assignments).toEqual(['dev', 'prod'].map((env) => principal(`${env}-sql-identity`)));
  });

  it('the app only checks the schema; the release migrates and creates the users before it deploys', () => {
    const [app] = values(dev, 'azurerm_linux_web_app');
    expect(app.app_settings.DB_MIGRATIONS).toBe('check');
    const names = jobs['release-dev']!.steps.map((s) => s.name);
    const bootstrapAt = names.findIndex((n) => n.startsWith('Database bootstrap'));
    expect(bootstrapAt).toBeGreaterThan(names.findIndex((n) => n.startsWith('terraform apply')));
    expect(bootstrapAt).toBeLessThan(names.indexOf('Point the web app at the new image'));
  });
});

describe('4-6. Data Factory, Redis diagnostics, autoscale', () => {
  it('4. the copy truncates only the staging table, where Data Factory holds ALTER; the merge does not truncate', () => {
    const [copy] = ingestActivities(
      { sourceDataset: 's', stagingDataset: 't', sqlLinkedService: 'l' },
      kaggleAnimes,
    );
    expect((copy as TerraformJson).typeProperties.sink.preCopyScript).toBe(
      'TRUNCATE TABLE [dbo].[animes_staging]',
    );
    expect(grantBatches('ingest', 'adf')).toContain(
      'GRANT SELECT, INSERT, ALTER ON dbo.animes_staging TO [adf]',
    );
    expect(mergeProcedure(kaggleAnimes)).not.toMatch(/TRUNCATE/);
  });

  it('5. Redis logs go from the database resource, metrics from the cluster', () => {
    const settings = values(dev, 'azurerm_monitor_diagnostic_setting').filter((d) =>
      String(d.target_resource_id).includes('azurerm_managed_redis'),
    );
    const database = settings.find((d) => String(d.target_resource_id).endsWith('/databases/default'))!;
    expect(database.enabled_log).toEqual([{ category_group: 'allLogs' }]);
    const cluster = settings.find((d) => d !== database)!;
    expect(cluster.enabled_log).toBeUndefined();
    expect(cluster.enabled_metric).toEqual([{ category: 'AllMetrics' }]);
  });

  it('6. no autoscale on a Basic plan (a fixed worker count instead); prod autoscales', () => {
    expect(ENVIRONMENTS.dev.appServiceSku.supportsAutoscale).toBe(false);
    expect(dev.resource.azurerm_monitor_autoscale_setting).toBeUndefined();
    expect(values(dev, 'azurerm_service_plan')[0].worker_count).toBe(ENVIRONMENTS.dev.instances.default);
    expect(values(prod, 'azurerm_monitor_autoscale_setting')).toHaveLength(1);
    // Prod is zone balanced: it starts at its minimum of two workers, and autoscale owns the count after.
    expect(values(prod, 'azurerm_service_plan')[0]).toMatchObject({
      zone_balancing_enabled: true,
      worker_count: ENVIRONMENTS.prod.instances.minimum,
      lifecycle: { ignore_changes: ['worker_count'] },
    });
    expect(values(dev, 'azurerm_service_plan')[0].zone_balancing_enabled).toBeUndefined();
  });

  it('SKUs are enum-like classes that refuse unknown names, naming the allowed ones', () => {
    expect(() => AppServiceSku.of('F1')).toThrow(
      'App Service SKU "F1" is not supported; use one of B1, B2, S1, P0v3, P1v3',
    );
    expect(AppServiceSku.of('P0v3').supportsZoneRedundancy).toBe(true);
    expect(() => RegistrySku.of('Gold')).toThrow(/use one of Basic, Standard, Premium/);
    expect(SqlDatabaseSku.of('S2').dtus).toBe(50);
    expect(ManagedRedisSku.of('Balanced_B1').memoryGb).toBe(1);
    expect(() =>
      platform('dev', {
        environment: { ...ENVIRONMENTS.dev, instances: { minimum: 1, maximum: 5, default: 4 } },
      }),
    ).toThrow('the B1 plan runs at most 3 instances, asked for 4');
  });
});

describe('7-9. Key Vault, storage data plane, pinned Terraform', () => {
  it('7. no role assignment in the platform stack lets the deployer write secrets (it is granted beforehand)', () => {
    for (const json of [dev, prod]) {
      const roles = values(json, 'azurerm_role_assignment').map((r) => r.role_definition_name);
      expect(roles).not.toContain('Key Vault Secrets Officer');
      for (const secret of values(json, 'azurerm_key_vault_secret'))
        expect(secret.depends_on).toBeUndefined();
    }
  });

  it('8. the provider never touches the storage data plane', () => {
    for (const json of [dev, prod, boot])
      expect(json.provider.azurerm[0].features[0].storage).toEqual([{ data_plane_available: false }]);
  });

  it('9. every job sets up the same pinned Terraform; the provider version is exact', () => {
    const terraformJobs = Object.values(jobs).filter((job) =>
      job.steps.some((s) => 'run' in s && s.run.includes('terraform ')),
    );
    const setups = terraformJobs.flatMap((job) =>
      job.steps.filter((s) => 'uses' in s && s.uses === ACTIONS.setupTerraform),
    );
    expect(terraformJobs.length).toBeGreaterThanOrEqual(5);
    expect(setups.length).toBe(terraformJobs.length);
    for (const step of setups) expect((step as TerraformJson).with.terraform_version).toBe(TERRAFORM_VERSION);
    expect(dev.terraform.required_providers.azurerm.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(renderWorkflow(deploy)).toContain('init -input=false -lockfile=readonly');
  });
});

describe('would misbehave', () => {
  it('the Redis URL percent-encodes the access key', () => {
    const url = all(dev, 'azurerm_key_vault_secret').find(([id]) => id.includes('redis-url'))![1].value;
    expect(url).toMatch(/^rediss:\/\/:\$\{urlencode\(azurerm_managed_redis\.[^)]+\.primary_access_key\)\}@/);
  });

  it('the Data Factory pipeline reads back as written: compressionProperties present, sink values in the spec', () => {
    const [pipeline] = values(dev, 'azurerm_data_factory_pipeline');
    const [copy] = JSON.parse(pipeline.activities_json);
    expect(copy.typeProperties.source.formatSettings).toEqual({
      type: 'DelimitedTextReadSettings',
      compressionProperties: null,
    });
    expect(['Insert', 'Upsert', 'StoredProcedure']).toContain(copy.typeProperties.sink.writeBehavior);
    expect(copy.typeProperties.sink.tableOption).toBeUndefined();
    expect(pipeline.concurrency).toBe(1);
  });

  it('secrets from outside are ephemeral and write-only: in no plan, no state, no artifact', () => {
    for (const name of ['jwt_secret', 'admin_bootstrap_token'])
      expect(dev.variable[name]).toMatchObject({ ephemeral: true, sensitive: true });
    const secrets = Object.fromEntries(all(dev, 'azurerm_key_vault_secret'));
    const byName = (name: string) =>
      Object.values(secrets).find((s: TerraformJson) => s.name === name) as TerraformJson;
    expect(byName('jwt-secret')).toMatchObject({
      value_wo: '${var.jwt_secret}',
      value_wo_version: '${var.jwt_secret_version}',
    });
    expect(byName('jwt-secret').value).toBeUndefined();
    const uploads = Object.values(jobs).flatMap((job) =>
      job.steps.filter((s) => 'uses' in s && s.uses === ACTIONS.uploadArtifact),
    ) as TerraformJson[];
    for (const upload of uploads) expect(upload.with.path).not.toMatch(/tfplan|tfstate/);
    expect(renderWorkflow(deploy)).not.toContain('download-artifact');
  });

  it('pull-request plans: the read-only planner, no refresh, no lock, no real secrets', () => {
    for (const id of ['plan-pr-dev', 'plan-pr-prod']) {
      const plan = jobs[id]!.steps.at(-1) as TerraformJson;
      expect(plan.run).toContain('-refresh=false -lock=false');
      expect(JSON.stringify(plan.env)).not.toContain('secrets.');
    }
    // Reader on both groups and on the bootstrap identities the plans read, and the two state containers.
    expect(
      grants
        .filter((g) => g[2] === principal('planner'))
        .map((g) => g[0])
        .sort(),
    ).toEqual([...Array(6).fill('Reader'), 'Storage Blob Data Reader', 'Storage Blob Data Reader']);
  });

  it('the release waits until /health reports its own commit', () => {
    const wait = jobs['release-dev']!.steps.find((s) =>
      s.name.startsWith('Wait until /health'),
    ) as TerraformJson;
    expect(wait.run).toContain(`.build // empty`);
    expect(wait.run).toContain('[ "$BUILD" = "${{ github.sha }}" ]');
  });

  it('one concurrency group per environment; every prod job runs in a prod environment', () => {
    expect(deploy.concurrency).toBeUndefined();
    expect(jobs['release-dev']!.concurrency!.group).not.toBe(jobs['release-prod']!.concurrency!.group);
    expect(jobs['release-prod']!.environment!.name).toBe('prod');
    expect(jobs['plan-prod']!.environment!.name).toBe('prod-plan');
  });

  it('the app subnet has a NAT gateway for its egress', () => {
    const [association] = values(dev, 'azurerm_subnet_nat_gateway_association');
    expect(association.subnet_id).toMatch(/^\$\{azurerm_subnet\.network_app_/);
    expect(values(dev, 'azurerm_public_ip')[0]).toMatchObject({
      sku: 'Standard',
      allocation_method: 'Static',
    });
  });

  it('an empty TFSTATE_STORAGE_ACCOUNT fails synth when TFSTATE_REQUIRED is set, naming the fix', () => {
    const saved = { ...process.env };
    try {
      process.env.TFSTATE_STORAGE_ACCOUNT = '';
      process.env.TFSTATE_REQUIRED = 'true';
      expect(() => platform('dev')).toThrow(/TFSTATE_STORAGE_ACCOUNT is empty but TFSTATE_REQUIRED=true/);
      delete process.env.TFSTATE_REQUIRED;
      expect(platform('dev').terraform.backend.local).toBeDefined();
    } finally {
      process.env = saved;
    }
  });

  it('resource tokens derive from the subscription and the environment', () => {
    const other = '99999999-2222-3333-4444-555555555555';
    expect(namesFor('dev', SUBSCRIPTION).keyVault).not.toBe(namesFor('prod', SUBSCRIPTION).keyVault);
    expect(namesFor('dev', SUBSCRIPTION).keyVault).not.toBe(namesFor('dev', other).keyVault);
    expect(namesFor('dev', SUBSCRIPTION)).toEqual(namesFor('dev', SUBSCRIPTION));
    expect(() => namesFor({ ...ENVIRONMENTS.dev, resourceToken: 'A-1' }, SUBSCRIPTION)).toThrow(
      'resourceToken of dev must be 3-8 lowercase letters or digits, got "A-1"',
    );
    // The bootstrap creates the very groups the platform stacks look up.
    const groups = values(boot, 'azurerm_resource_group').map((g) => g.name);
    for (const env of ['dev', 'prod'] as const) {
      expect(groups).toContain(namesFor(env, SUBSCRIPTION).resourceGroup);
      expect(platform(env).data.azurerm_resource_group.group.name).toBe(
        namesFor(env, SUBSCRIPTION).resourceGroup,
      );
    }
  });

  it('the workflow reads every name from the stack outputs, and every output it reads exists', () => {
    const yaml = renderWorkflow(deploy);
    const used = new Set([...yaml.matchAll(/\$\{OUT_([A-Z_]+)\}/g)].map((m) => m[1]!.toLowerCase()));
    expect([...used].filter((name) => !(name in dev.output))).toEqual([]);
    expect(Object.values(OUTPUTS).sort()).toEqual(Object.keys(dev.output).sort());
    for (const name of Object.values(namesFor('dev'))) expect(yaml).not.toContain(name);
  });
});

describe('hardening', () => {
  it('actions are pinned by commit SHA', () => {
    for (const action of Object.values(ACTIONS)) expect(action).toMatch(/@[0-9a-f]{40}$/);
    const uses = [...renderWorkflow(deploy).matchAll(/uses: (\S+)/g)].map((m) => m[1]!);
    for (const use of uses) expect(use).toMatch(/@[0-9a-f]{40}$/);
  });

  it('no publishing credentials, no local auth on telemetry, the app publishes with its identity', () => {
    const [app] = values(dev, 'azurerm_linux_web_app');
    expect(app).toMatchObject({
      ftp_publish_basic_authentication_enabled: false,
      webdeploy_publish_basic_authentication_enabled: false,
    });
    expect(app.app_settings.APPLICATIONINSIGHTS_AUTHENTICATION).toBe('managed-identity');
    expect(values(dev, 'azurerm_application_insights')[0].local_authentication_disabled).toBe(true);
    expect(values(dev, 'azurerm_log_analytics_workspace')[0].local_authentication_enabled).toBe(false);
    expect(values(dev, 'azurerm_role_assignment').map((r) => r.role_definition_name)).toContain(
      'Monitoring Metrics Publisher',
    );
  });

  it('SQL audit events go to Log Analytics through the master database', () => {
    expect(values(dev, 'azurerm_mssql_server_extended_auditing_policy')[0].log_monitoring_enabled).toBe(true);
    const audit = values(dev, 'azurerm_monitor_diagnostic_setting').find((d) =>
      String(d.target_resource_id).endsWith('/databases/master'),
    )!;
    expect(audit.enabled_log).toEqual([{ category: 'SQLSecurityAuditEvents' }]);
  });

  it('the vault denies by default, ignores the runner rules the workflow manages, and secrets expire', () => {
    const [vault] = values(dev, 'azurerm_key_vault');
    expect(vault.network_acls).toMatchObject({ default_action: 'Deny', bypass: 'AzureServices' });
    expect(vault.network_acls.ip_rules).toBe('${var.deployer_ip_ranges}');
    expect(vault.lifecycle.ignore_changes).toEqual(['network_acls[0].ip_rules']);
    for (const secret of values(dev, 'azurerm_key_vault_secret'))
      expect(secret.expiration_date).toBe(ENVIRONMENTS.dev.secretsExpireOn);
  });

  it('prod data is protected: prevent_destroy, blob versioning and soft delete; dev is not', () => {
    for (const type of ['azurerm_mssql_server', 'azurerm_mssql_database', 'azurerm_key_vault'])
      expect(values(prod, type)[0].lifecycle.prevent_destroy).toBe(true);
    expect(values(prod, 'azurerm_storage_account')[0].blob_properties).toMatchObject({
      versioning_enabled: true,
    });
    expect(values(dev, 'azurerm_key_vault')[0].lifecycle.prevent_destroy).toBe(false);
    expect(values(dev, 'azurerm_storage_account')[0].blob_properties).toBeUndefined();
  });
});

describe('hardening of issue 30', () => {
  it('both subnets have an NSG; only the app subnet reaches the endpoints, on their service ports', () => {
    const nsgs = values(dev, 'azurerm_network_security_group');
    expect(nsgs).toHaveLength(2);
    const endpoints = nsgs.find((n) => n.name.endsWith('-endpoints'))!;
    const [allow, deny] = endpoints.security_rule;
    const [appSubnet] = values(dev, 'azurerm_subnet').filter((s) => s.name === 'snet-app');
    expect(allow).toMatchObject({
      access: 'Allow',
      source_address_prefix: appSubnet.address_prefixes[0],
      destination_port_ranges: ['443', '1433', '10000'],
    });
    expect(deny).toMatchObject({ access: 'Deny', source_address_prefix: 'VirtualNetwork', priority: 4000 });
    expect(values(dev, 'azurerm_subnet_network_security_group_association')).toHaveLength(2);
    const endpointSubnet = values(dev, 'azurerm_subnet').find((s) => s.name === 'snet-private-endpoints')!;
    expect(endpointSubnet.private_endpoint_network_policies).toBe('Enabled');
  });

  it("the subscription's activity log goes to a bootstrap workspace the deployers cannot administer", () => {
    const [setting] = values(boot, 'azurerm_monitor_diagnostic_setting');
    expect(setting.target_resource_id).toBe(`/subscriptions/${SUBSCRIPTION}`);
    expect(setting.enabled_log.map((l: TerraformJson) => l.category)).toEqual([
      'Administrative',
      'Security',
      'Policy',
      'ServiceHealth',
      'Alert',
    ]);
    expect(values(boot, 'azurerm_log_analytics_workspace')[0].retention_in_days).toBe(365);
    // No deployer holds a role on the bootstrap group itself.
    expect(grants.filter((g) => g[1] === '${azurerm_resource_group.group.id}')).toEqual([]);
  });

  it('role delegation is limited to service principals as well as to the delegable roles', () => {
    const delegation = grants.find((g) => g[0] === 'Role Based Access Control Administrator')!;
    expect(
      delegation[3]!.match(
        /PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}/g,
      ),
    ).toHaveLength(2);
  });
});

describe('monitoring as code', () => {
  it('an availability test on /health from five locations, alerting when two fail', () => {
    const [test] = values(dev, 'azurerm_application_insights_standard_web_test');
    expect(test.request.url).toMatch(
      /^https:\/\/\$\{azurerm_linux_web_app\.[^}]+\.default_hostname\}\/health$/,
    );
    expect(test.geo_locations).toHaveLength(5);
    const [availability] = values(dev, 'azurerm_monitor_metric_alert');
    expect(
      availability.application_insights_web_test_location_availability_criteria.failed_location_count,
    ).toBe(2);
  });

  it('alerts for 5xx rate, p95 latency, cache hit ratio and outbox backlog, to one action group', () => {
    const rules = values(dev, 'azurerm_monitor_scheduled_query_rules_alert_v2');
    expect(rules.map((r) => r.name.replace(/-anime-dev$/, '').replace(/^alert-/, '')).sort()).toEqual([
      'cache-hit-ratio',
      'outbox-backlog',
      'p95-latency',
      'server-errors',
    ]);
    const [group] = all(dev, 'azurerm_monitor_action_group');
    for (const rule of rules)
      expect(rule.action.action_groups).toEqual([`\${azurerm_monitor_action_group.${group![0]}.id}`]);
    expect(rules.find((r) => r.name.includes('cache-hit-ratio'))!.criteria[0].query).toContain(
      'anime.cache.lookups',
    );
    expect(rules.find((r) => r.name.includes('outbox'))!.criteria[0].query).toContain(
      'anime.cache.outbox.backlog',
    );
  });

  it('the action group mails the configured address; a bad address fails synth naming it', () => {
    const json = platform('dev', { environment: { ...ENVIRONMENTS.dev, alertEmail: 'ops@example.org' } });
    expect(values(json, 'azurerm_monitor_action_group')[0].email_receiver[0].email_address).toBe(
      'ops@example.org',
    );
    expect(() => platform('dev', { environment: { ...ENVIRONMENTS.dev, alertEmail: 'ops' } })).toThrow(
      'alert email "ops" is not an email address',
    );
  });

  it('a workbook with response time, requests, failures, availability and cache hit ratio', () => {
    const [workbook] = values(dev, 'azurerm_application_insights_workbook');
    expect(workbook.name).toMatch(/^\$\{uuidv5\("url", "urn:anime-dev:workbook"\)\}$/);
    const titles = JSON.parse(workbook.data_json).items.map((i: TerraformJson) => i.content.title);
    expect(titles).toEqual([
      'Response time (p50, p95)',
      'Requests',
      'Failures',
      'Availability',
      'Cache hit ratio',
    ]);
  });
});
