import { PlatformPolicy, PolicyViolationError, suppress } from '../../infra/policy/platform-policy';
import { RULES } from '../../infra/policy/rules';
import {
  Aspects,
  type Construct,
  ContainerRegistry,
  LinuxWebApp,
  MssqlServer,
  RedisCache,
  ResourceGroup,
  StorageAccount,
} from '../../infra/provider';
import { PLACE, synth } from './support';

const TAGS = { environment: 'test', service: 'anime' };

/** Synthesizes `build` under the policy; returns the violated rule id, or undefined. */
function violation(build: (scope: Construct) => void): string | undefined {
  try {
    synth((scope) => {
      build(scope);
      Aspects.of(scope).add(new PlatformPolicy());
    });
    return undefined;
  } catch (error) {
    if (error instanceof PolicyViolationError) return error.ruleId;
    throw error;
  }
}

const webApp = (scope: Construct, overrides: Partial<ConstructorParameters<typeof LinuxWebApp>[2]> = {}) =>
  new LinuxWebApp(scope, 'app', {
    ...PLACE,
    name: 'app',
    servicePlanId: 'plan',
    httpsOnly: true,
    publicNetworkAccessEnabled: false,
    siteConfig: { minimumTlsVersion: '1.2', scmMinimumTlsVersion: '1.2', ftpsState: 'Disabled' },
    tags: TAGS,
    ...overrides,
  });

describe('platform policy (an Aspect, like cdk-nag)', () => {
  it('passes compliant resources', () => {
    expect(violation((s) => webApp(s))).toBeUndefined();
  });

  it.each([
    ['HTTPS_ONLY', (s: Construct) => webApp(s, { httpsOnly: false })],
    [
      'HTTPS_ONLY',
      (s: Construct) =>
        new StorageAccount(s, 'st', {
          ...PLACE,
          name: 'st',
          accountTier: 'Standard',
          accountReplicationType: 'LRS',
          httpsTrafficOnlyEnabled: false,
          minTlsVersion: 'TLS1_2',
          publicNetworkAccessEnabled: false,
          tags: TAGS,
        }),
    ],
    [
      'TLS_1_2',
      (s: Construct) => webApp(s, { siteConfig: { minimumTlsVersion: '1.1', ftpsState: 'Disabled' } }),
    ],
    [
      'TLS_1_2',
      (s: Construct) =>
        webApp(s, {
          siteConfig: { minimumTlsVersion: '1.2', scmMinimumTlsVersion: '1.2', ftpsState: 'AllAllowed' },
        }),
    ],
    [
      'TLS_1_2',
      (s: Construct) =>
        new MssqlServer(s, 'sql', {
          ...PLACE,
          name: 'sql',
          version: '12.0',
          minimumTlsVersion: '1.0',
          publicNetworkAccessEnabled: false,
          tags: TAGS,
        }),
    ],
    [
      'TLS_1_2',
      (s: Construct) =>
        new RedisCache(s, 'redis', {
          ...PLACE,
          name: 'r',
          capacity: 1,
          family: 'C',
          skuName: 'Standard',
          nonSslPortEnabled: true,
          minimumTlsVersion: '1.2',
          publicNetworkAccessEnabled: false,
          tags: TAGS,
        }),
    ],
    [
      'NO_ACR_ADMIN',
      (s: Construct) =>
        new ContainerRegistry(s, 'cr', {
          ...PLACE,
          name: 'cr',
          sku: 'Premium',
          adminEnabled: true,
          publicNetworkAccessEnabled: false,
          tags: TAGS,
        }),
    ],
    [
      'NO_PUBLIC_NETWORK',
      (s: Construct) =>
        new MssqlServer(s, 'sql', {
          ...PLACE,
          name: 'sql',
          version: '12.0',
          minimumTlsVersion: '1.2',
          tags: TAGS,
        }),
    ],
    [
      'NO_PLAINTEXT_SECRETS',
      (s: Construct) => webApp(s, { appSettings: { JWT_SECRET: 'hunter2-but-longer-than-32-bytes!!' } }),
    ],
    [
      'NO_PLAINTEXT_SECRETS',
      (s: Construct) => webApp(s, { appSettings: { CACHE: 'rediss://:p4ss@host:6380' } }),
    ],
    [
      'REQUIRED_TAGS',
      (s: Construct) =>
        new ResourceGroup(s, 'rg', { name: 'rg', location: 'westeurope', tags: { service: 'anime' } }),
    ],
  ])('%s fires on a deliberately insecure resource', (rule, build) => {
    expect(violation(build)).toBe(rule);
  });

  it('has a test above for every rule', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(
      [
        'HTTPS_ONLY',
        'NO_ACR_ADMIN',
        'NO_PLAINTEXT_SECRETS',
        'NO_PUBLIC_NETWORK',
        'REQUIRED_TAGS',
        'TLS_1_2',
      ].sort(),
    );
  });

  it('accepts Key Vault references for secret-looking settings', () => {
    expect(
      violation((s) =>
        webApp(s, { appSettings: { JWT_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv/secrets/jwt)' } }),
      ),
    ).toBeUndefined();
  });

  it('honours a suppression with an id and a reason, on the construct and below', () => {
    expect(
      violation((s) => {
        const app = webApp(s, { publicNetworkAccessEnabled: true });
        suppress(app, { id: 'NO_PUBLIC_NETWORK', reason: 'the API is a public endpoint by design' });
      }),
    ).toBeUndefined();
    expect(() =>
      synth((s) => {
        suppress(webApp(s), { id: 'NO_PUBLIC_NETWORK', reason: 'because' });
      }),
    ).toThrow(/needs a real reason/);
    expect(() =>
      synth((s) => {
        suppress(webApp(s), { id: 'NO_SUCH_RULE', reason: 'a long enough reason to pass the check' });
      }),
    ).toThrow(/unknown policy rule/);
  });
});
