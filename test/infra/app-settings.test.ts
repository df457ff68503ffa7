import { randomBytes } from 'node:crypto';
import { ENVIRONMENTS } from '../../infra/config/environments';
import { Testing } from '../../infra/provider';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import { ConfigSchema, loadConfig, webConcurrency } from '../../platform/config';
import './support';

/** Settings App Service itself reads, not the app. */
const PLATFORM_SETTINGS = new Set([
  // The port App Service routes to in the container.
  'WEBSITES_PORT',
]);

function appSettings(
  environment: 'dev' | 'prod',
  options: Partial<ConstructorParameters<typeof PlatformStack>[2]> = {},
): Record<string, string> {
  const stack = new PlatformStack(Testing.app(), `anime-${environment}`, {
    environment: ENVIRONMENTS[environment],
    ...options,
  });
  const json = JSON.parse(Testing.synth(stack));
  const apps = Object.values(json.resource.azurerm_linux_web_app) as {
    app_settings: Record<string, string>;
  }[];
  expect(apps).toHaveLength(1);
  return apps[0]!.app_settings;
}

/** What each Key Vault reference resolves to at run time, as App Service hands it to the container. */
const RESOLVED_SECRETS: Record<string, () => string> = {
  REDIS_URL: () => 'rediss://:access-key@anime-cache.redis.cache.windows.net:6380',
  APPLICATIONINSIGHTS_CONNECTION_STRING: () =>
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
};

/** The environment the container sees: references resolved, Terraform's interpolations applied. */
function asTheContainerSeesIt(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => {
      if (value.startsWith('@Microsoft.KeyVault('))
        return [name, (RESOLVED_SECRETS[name] ?? (() => randomBytes(32).toString('base64url')))()];
      return [
        name,
        value.replace(/\$\{[^}]+\}/g, name === 'SQL_SERVER' ? 'anime-sql.database.windows.net' : 'anime'),
      ];
    }),
  );
}

const known = new Set(Object.keys(ConfigSchema.properties));
const unknownNames = (settings: Record<string, string>) =>
  Object.keys(settings).filter((name) => !known.has(name) && !PLATFORM_SETTINGS.has(name));

describe('the App Service settings the infra writes, against the app configuration schema', () => {
  const cases = [
    ['dev', {}],
    ['prod', {}],
    ['prod with Firebase', { firebaseProjectId: 'anime-firebase' }],
  ] as const;

  it.each(cases)('%s: every setting is one the app reads (or App Service does)', (name, options) => {
    const settings = appSettings(name.startsWith('dev') ? 'dev' : 'prod', options);
    expect(Object.keys(settings).length).toBeGreaterThan(10);
    expect(unknownNames(settings)).toEqual([]);
  });

  it.each(cases)(
    '%s: the container starts on them: loadConfig accepts them, with workers on every core',
    (name, options) => {
      const environment = asTheContainerSeesIt(appSettings(name.startsWith('dev') ? 'dev' : 'prod', options));
      const config = loadConfig(environment);
      expect(config.NODE_ENV).toBe('production');
      expect(config.DB_DRIVER).toBe('mssql');
      expect(webConcurrency(config, 2)).toBe(2);
    },
  );

  it('names a misspelled setting and refuses a bad value or a missing partner (negative controls)', () => {
    const settings = appSettings('prod');
    expect(unknownNames({ ...settings, SQL_DATABSE: 'anime' })).toEqual(['SQL_DATABSE']);
    const environment = asTheContainerSeesIt(settings);
    expect(() => loadConfig({ ...environment, DB_MIGRATIONS: 'chek' })).toThrow(/DB_MIGRATIONS/);
    const { SQL_DATABASE: _dropped, ...withoutDatabase } = environment;
    expect(() => loadConfig(withoutDatabase)).toThrow(/SQL_SERVER and SQL_DATABASE/);
    const { REDIS_URL: _none, ...withoutRedis } = environment;
    expect(() => loadConfig({ ...withoutRedis, WEB_CONCURRENCY: '2' })).toThrow(
      /WEB_CONCURRENCY=2 needs REDIS_URL/,
    );
  });
});
