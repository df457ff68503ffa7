import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTranslator } from '../../catalogue/data-factory';
import { ANIME_COLUMNS, MAPPED_COLUMNS } from '../../catalogue/definition';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { malExport } from '../../catalogue/profiles/mal-export';
import { ENVIRONMENTS, namesFor } from '../../infra/config/environments';
import { resourceName } from '../../infra/config/naming';
import { Testing } from '../../infra/provider';
import { OUTPUTS, PlatformStack } from '../../infra/stacks/platform-stack';
import { ROOT } from '../support/cli';
import { STUDIO_COLUMN } from '../support/fixtures';
import './support';
import type { TerraformJson } from './support';

function stackJson(
  environment: 'dev' | 'prod',
  options: Partial<ConstructorParameters<typeof PlatformStack>[2]> = {},
) {
  const app = Testing.app();
  const stack = new PlatformStack(app, `anime-${environment}`, {
    environment: ENVIRONMENTS[environment],
    ...options,
  });
  return JSON.parse(Testing.synth(stack));
}

function pipelineActivities(json: { resource: Record<string, Record<string, { activities_json: string }>> }) {
  return JSON.parse(Object.values(json.resource.azurerm_data_factory_pipeline!)[0]!.activities_json);
}

describe('platform stacks', () => {
  it.each(['dev', 'prod'] as const)('%s synthesizes and matches its reviewed snapshot', (environment) => {
    const json = stackJson(environment);
    expect(Object.keys(json.output).sort()).toEqual(Object.values(OUTPUTS).sort());
    expect(json).toMatchSnapshot();
  });

  it('runs prod on at least two instances', () => {
    const autoscale = Object.values(stackJson('prod').resource.azurerm_monitor_autoscale_setting)[0] as {
      profile: { capacity: { minimum: number } }[];
    };
    expect(autoscale.profile[0]!.capacity.minimum).toBeGreaterThanOrEqual(2);
  });

  it('puts every secret in Key Vault and none in plain app settings', () => {
    const json = stackJson('prod', { firebaseProjectId: 'my-project' });
    const app = Object.values(json.resource.azurerm_linux_web_app)[0] as {
      app_settings: Record<string, string>;
    };
    for (const name of [
      'JWT_SECRET',
      'ADMIN_BOOTSTRAP_TOKEN',
      'REDIS_URL',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'FIREBASE_API_KEY',
    ])
      expect(app.app_settings[name]).toMatch(
        /^@Microsoft\.KeyVault\(SecretUri=\$\{azurerm_key_vault_secret\./,
      );
    expect(app.app_settings.FIREBASE_PROJECT_ID).toBe('my-project');
    expect(json.variable.jwt_secret.sensitive).toBe(true);
    expect(json.variable.admin_bootstrap_token.sensitive).toBe(true);
  });

  it.each(['dev', 'prod'] as const)(
    '%s: the app reaches SQL, Redis and Key Vault privately, and Redis has no public access',
    (environment) => {
      const { resource } = stackJson(environment);
      const app = Object.values(resource.azurerm_linux_web_app)[0] as TerraformJson;
      expect(app.virtual_network_subnet_id).toMatch(/^\$\{azurerm_subnet\.network_app_/);
      expect(app.site_config.vnet_route_all_enabled).toBe(true);
      const endpoints = Object.values(resource.azurerm_private_endpoint) as TerraformJson[];
      const reached = endpoints.map((e) => e.private_service_connection.private_connection_resource_id);
      for (const type of ['azurerm_mssql_server', 'azurerm_managed_redis', 'azurerm_key_vault']) {
        const key = Object.keys(resource[type])[0];
        expect(reached).toContain(`\${${type}.${key}.id}`);
      }
      for (const endpoint of endpoints) {
        expect(endpoint.subnet_id).toMatch(/^\$\{azurerm_subnet\.network_endpoints_/);
        expect(endpoint.private_dns_zone_group.private_dns_zone_ids).toHaveLength(1);
      }
      expect((Object.values(resource.azurerm_managed_redis)[0] as TerraformJson).public_network_access).toBe(
        'Disabled',
      );
      const ranges = Object.values(resource.azurerm_virtual_network).map(
        (v: TerraformJson) => v.address_space[0],
      );
      expect(ranges).toEqual([ENVIRONMENTS[environment].vnetAddressSpace]);
    },
  );

  it('uses the azurerm remote backend when configured', () => {
    const json = stackJson('dev', {
      backend: { resourceGroupName: 'rg-state', storageAccountName: 'ststate', containerName: 'tfstate' },
    });
    expect(json.terraform.backend.azurerm).toMatchObject({
      key: 'anime-dev.tfstate',
      use_oidc: true,
      use_azuread_auth: true,
    });
  });
});

describe('Data Factory ingest derived from the shared definition', () => {
  it('maps every profile field to its definition column, in definition order, and passes the source to the merge', () => {
    const [copy, merge] = pipelineActivities(stackJson('dev'));
    const translator = copy.typeProperties.translator;
    const fields = kaggleAnimes.fields as Record<string, { from: string } | undefined>;
    // A column the profile's files do not carry (originalTitle, for Kaggle) is left out: it loads as null.
    const expected = MAPPED_COLUMNS.filter((c) => fields[c.field]).map((c) => ({
      source: { name: fields[c.field]!.from, type: 'String' },
      sink: { name: c.column },
    }));
    expect(expected.map((m) => m.sink.name)).toEqual(expect.arrayContaining(['source_id', 'title', 'type']));
    expect(translator.mappings).toEqual(expected);
    // No CSV column carries the source: the profile declares it, and the merge keys rows by it.
    expect(merge.typeProperties.storedProcedureParameters.source).toEqual({
      value: kaggleAnimes.source,
      type: 'String',
    });
  });

  it('changes when the definition or the profile changes', () => {
    const extra = STUDIO_COLUMN;
    const withStudio = copyTranslator(
      { ...kaggleAnimes, fields: { ...kaggleAnimes.fields, [extra.field]: { from: 'studios' } } as never },
      [...ANIME_COLUMNS, extra],
    );
    expect(withStudio.mappings.at(-1)).toEqual({
      source: { name: 'studios', type: 'String' },
      sink: { name: extra.column },
    });
    const mal = stackJson('dev', { environment: { ...ENVIRONMENTS.dev, ingestProfile: malExport.name } });
    expect(pipelineActivities(mal)[0].typeProperties.translator).toEqual(copyTranslator(malExport));
    expect(copyTranslator(malExport).mappings).toContainEqual({
      source: { name: 'title_japanese', type: 'String' },
      sink: { name: 'original_title' },
    });
    // The one choice also reaches the app, which generates the merge procedure for that profile.
    const appSettings = Object.values(
      mal.resource.azurerm_linux_web_app as Record<string, { app_settings: Record<string, string> }>,
    )[0]!.app_settings;
    expect(appSettings.INGEST_PROFILE).toBe(malExport.name);
    expect(pipelineActivities(mal)[0].typeProperties.translator).not.toEqual(copyTranslator(kaggleAnimes));
  });

  it('refuses an ingest profile that is not built in, naming it', () => {
    expect(() =>
      stackJson('dev', { environment: { ...ENVIRONMENTS.dev, ingestProfile: 'bangumi' } }),
    ).toThrow(/ingestProfile "bangumi" of dev is not a built-in profile/);
  });

  it('ends with the merge step that bumps the data version', () => {
    const [copy, merge] = pipelineActivities(stackJson('dev'));
    expect(merge).toMatchObject({
      type: 'SqlServerStoredProcedure',
      dependsOn: [{ activity: copy.name, dependencyConditions: ['Succeeded'] }],
    });
  });
});

describe('naming', () => {
  it('derives every name from one helper and refuses names Azure would reject', () => {
    const names = namesFor('prod');
    expect(names.containerRegistry).toMatch(/^[a-z0-9]+$/);
    expect(names.storageAccount.length).toBeLessThanOrEqual(24);
    expect(names.keyVault.length).toBeLessThanOrEqual(24);
    expect(new Set(Object.values(names)).size).toBe(Object.values(names).length);
    expect(() =>
      resourceName('keyVault', {
        workload: 'a-very-long-workload',
        environment: 'prod',
        resourceToken: 'abcd',
      }),
    ).toThrow(/longer than 24/);
  });
});

describe('npm run synth', () => {
  it('writes the bootstrap and both environment stacks offline, quickly', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      const started = Date.now();
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/main.ts')], {
        cwd: ROOT,
        env: { ...process.env, CDKTF_OUTDIR: out },
        stdio: 'pipe',
      });
      const seconds = (Date.now() - started) / 1000;
      for (const stack of ['bootstrap', 'anime-dev', 'anime-prod'])
        expect(existsSync(join(out, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
      const prod = JSON.parse(readFileSync(join(out, 'stacks', 'anime-prod', 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(prod.resource)).toContain('azurerm_data_factory_pipeline');
      console.log(`synth took ${seconds.toFixed(1)} s`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
