import { BUILT_IN_PROFILES } from '../../catalogue/profiles';
import {
  bootstrapNames,
  DATASET_BLOB,
  DATASET_CONTAINER,
  type EnvironmentConfig,
  IMAGE_REPOSITORY,
  namesFor,
  PLACEHOLDER_SUBSCRIPTION,
  targetSubscription,
  WORKLOAD,
} from '../config/environments';
import { Alerts } from '../constructs/alerts';
import { AppService } from '../constructs/app-service';
import { Cache } from '../constructs/cache';
import { IngestFactory } from '../constructs/data-factory';
import { Database } from '../constructs/database';
import { Secrets, type WriteOnlyValue } from '../constructs/key-vault';
import { Monitoring } from '../constructs/monitoring';
import { Network } from '../constructs/network';
import { Registry } from '../constructs/registry';
import { DatasetStorage } from '../constructs/storage';
import { PlatformPolicy, RequiredTags } from '../policy/platform-policy';
import {
  Annotations,
  Aspects,
  AzurermBackend,
  AzurermProvider,
  type Construct,
  DataAzurermClientConfig,
  DataAzurermResourceGroup,
  DataAzurermUserAssignedIdentity,
  LocalBackend,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
} from '../provider';

export interface PlatformStackProps {
  readonly environment: EnvironmentConfig;
  /** The subscription names derive from. @default ARM_SUBSCRIPTION_ID, else a placeholder (offline synth) */
  readonly subscriptionId?: string;
  /**
   * Remote state; unset = a local state file (synth and tests). With TFSTATE_REQUIRED=true (the
   * deploy workflow) an unset account fails synth instead. @default from TFSTATE_* variables
   */
  readonly backend?: {
    readonly resourceGroupName: string;
    readonly storageAccountName: string;
    readonly containerName: string;
  };
  /** Firebase Authentication; unset = the API's local identity provider. @default unset */
  readonly firebaseProjectId?: string;
}

/** The stack outputs the deploy workflow reads after apply (it never rebuilds a name itself). */
export const OUTPUTS = {
  webAppUrl: 'web_app_url',
  webAppName: 'web_app_name',
  resourceGroupName: 'resource_group_name',
  registryName: 'registry_name',
  registryId: 'registry_id',
  registryLoginServer: 'registry_login_server',
  dataFactoryName: 'data_factory_name',
  storageAccountName: 'storage_account_name',
  keyVaultName: 'key_vault_name',
  sqlServerHost: 'sql_server_host',
  sqlServerName: 'sql_server_name',
  sqlDatabaseName: 'sql_database_name',
  appPrincipalName: 'app_principal_name',
  appPrincipalId: 'app_principal_id',
  ingestPrincipalName: 'ingest_principal_name',
  ingestPrincipalId: 'ingest_principal_id',
} as const;

// Why each exposure exists; each becomes a reviewed policy suppression.
const EXPOSURE = {
  app: 'the API is a public HTTPS endpoint by design; TLS 1.2+, HTTPS only',
  registry:
    'GitHub-hosted runners push over the internet; Entra-only auth, admin user and anonymous pull disabled',
  vault:
    'the Terraform runner (GitHub-hosted) writes the secrets; the app resolves its references through the private endpoint; RBAC only',
  sql: "Data Factory's Azure integration runtime reaches SQL as an Azure service; the app uses the private endpoint; Entra-only auth, TLS 1.2",
  storage: 'the deploy workflow uploads the dataset from a GitHub runner; Entra-only auth, no public blobs',
};

/** One environment of the platform, wired from the typed environment config. */
export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const env = props.environment;
    const profile = BUILT_IN_PROFILES[env.ingestProfile];
    if (!profile)
      throw new Error(
        `ingestProfile "${env.ingestProfile}" of ${env.name} is not a built-in profile (${Object.keys(BUILT_IN_PROFILES).join(', ')})`,
      );
    const subscriptionId = props.subscriptionId ?? targetSubscription();
    if (subscriptionId === PLACEHOLDER_SUBSCRIPTION)
      Annotations.of(this).addWarning(
        'ARM_SUBSCRIPTION_ID is unset: resource names derive from a placeholder subscription. Set it before deploying.',
      );
    const names = namesFor(env, subscriptionId);
    const shared = bootstrapNames(subscriptionId);
    new AzurermProvider(this, 'azurerm', {
      // Shared keys are off on every storage account: with data_plane_available the provider would
      // poll the queue and static-website data planes at create and refresh, needing data-plane
      // roles it does not have (azurerm #29984). Nothing here uses those features.
      features: [{ storage: [{ dataPlaneAvailable: false }] }],
      storageUseAzuread: true,
    });
    const backend = props.backend ?? backendFromEnvironment(env.name);
    if (backend)
      new AzurermBackend(this, {
        ...backend,
        key: `${WORKLOAD}-${env.name}.tfstate`,
        useOidc: true,
        useAzureadAuth: true,
      });
    else new LocalBackend(this, { path: `terraform.${env.name}.tfstate` });

    const client = new DataAzurermClientConfig(this, 'client');
    // The bootstrap stack creates the group and grants the deployer its roles on it beforehand, so
    // no role this stack relies on is created (and still propagating) in the same apply.
    const group = new DataAzurermResourceGroup(this, 'group', { name: names.resourceGroup });
    const place = { resourceGroupName: group.name, location: env.location };
    const sqlIdentity = new DataAzurermUserAssignedIdentity(this, 'sql-identity', {
      name: shared.sqlIdentity(env.name),
      resourceGroupName: shared.resourceGroup,
    });
    // The SQL server's Entra admin is this environment's deployer, read from the bootstrap, so a
    // plan shows the same admin whoever makes it (a pull request's planner included).
    const deployer = new DataAzurermUserAssignedIdentity(this, 'deployer', {
      name: shared.deployer(env.name),
      resourceGroupName: shared.resourceGroup,
    });
    const monitoring = new Monitoring(this, 'monitoring', {
      ...place,
      workspaceName: names.logAnalytics,
      appInsightsName: names.appInsights,
      retentionInDays: env.logRetentionDays,
    });
    // The app reaches SQL, Redis and Key Vault through private endpoints in this network.
    const network = new Network(this, 'network', {
      ...place,
      name: names.virtualNetwork,
      addressSpace: env.vnetAddressSpace,
    });
    const secrets = new Secrets(this, 'secrets', {
      ...place,
      network,
      name: names.keyVault,
      tenantId: client.tenantId,
      secretsExpireOn: env.secretsExpireOn,
      initialIpRules: new TerraformVariable(this, 'deployer_ip_ranges', {
        type: 'list(string)',
        default: [],
        description:
          "The deploying runner's address as CIDR; lets the apply that creates the vault write its secrets",
      }).listValue,
      preventDestroy: env.protectData,
      publicAccess: { reason: EXPOSURE.vault },
      monitoring,
    });
    const database = new Database(this, 'database', {
      ...place,
      serverName: names.sqlServer,
      databaseName: names.sqlDatabase,
      entraAdmin: { login: deployer.name, objectId: deployer.principalId },
      identityId: sqlIdentity.id,
      preventDestroy: env.protectData,
      sku: env.sqlSku,
      backupRetentionDays: env.sqlBackupRetentionDays,
      publicAccess: { reason: EXPOSURE.sql, allowAzureServices: true },
      network,
      monitoring,
    });
    const cache = new Cache(this, 'cache', {
      ...place,
      name: names.redis,
      redis: env.redis,
      network,
      monitoring,
    });
    const registry = new Registry(this, 'registry', {
      ...place,
      name: names.containerRegistry,
      sku: env.registrySku,
      publicAccess: { reason: EXPOSURE.registry },
      monitoring,
    });
    const storage = new DatasetStorage(this, 'storage', {
      ...place,
      accountName: names.storageAccount,
      containerName: DATASET_CONTAINER,
      recoveryDays: env.protectData ? 30 : undefined,
      publicAccess: { reason: EXPOSURE.storage },
      monitoring,
    });

    const jwtSecret = this.writeOnlySecret(
      'jwt_secret',
      'HS256 signing secret (>= 32 bytes); pass as TF_VAR_jwt_secret from a CI secret',
    );
    const adminBootstrapToken = this.writeOnlySecret(
      'admin_bootstrap_token',
      'One-time secret that makes the first account presenting it the admin (>= 32 bytes); pass as TF_VAR_admin_bootstrap_token from a CI secret',
    );
    const settings: Record<string, string> = {
      INGEST_PROFILE: profile.name,
      NODE_ENV: 'production',
      PORT: '8080',
      // Requests reach the container through App Service's front end, which appends the client's
      // address to X-Forwarded-For and is the TCP peer of every connection.
      TRUSTED_PROXY_HOPS: '1',
      HTTP_MAX_CONNECTIONS_PER_CLIENT: '0',
      SEED_ON_EMPTY: 'false',
      // The deploy pipeline migrates (npm run db:bootstrap) before it deploys; the app's database
      // user has no DDL rights and refuses to start on a schema it does not expect.
      DB_MIGRATIONS: 'check',
      APPLICATIONINSIGHTS_AUTHENTICATION: 'managed-identity',
      DB_DRIVER: 'mssql',
      SQL_SERVER: database.connection.server,
      SQL_DATABASE: database.connection.database,
      MSSQL_AUTHENTICATION: 'azure-active-directory-default',
      REDIS_CLUSTER: String(cache.clustered),
      JWT_SECRET: secrets.secret('jwt-secret', 'jwt-secret', jwtSecret),
      ADMIN_BOOTSTRAP_TOKEN: secrets.secret(
        'admin-bootstrap-token',
        'admin-bootstrap-token',
        adminBootstrapToken,
      ),
      REDIS_URL: secrets.secret('redis-url', 'redis-url', cache.url),
      APPLICATIONINSIGHTS_CONNECTION_STRING: secrets.secret(
        'appinsights',
        'appinsights-connection-string',
        monitoring.appInsights.connectionString,
      ),
    };
    if (props.firebaseProjectId) {
      const apiKey = this.writeOnlySecret(
        'firebase_api_key',
        'Firebase Web API key; pass as TF_VAR_firebase_api_key',
      );
      settings.FIREBASE_PROJECT_ID = props.firebaseProjectId;
      settings.FIREBASE_API_KEY = secrets.secret('firebase-api-key', 'firebase-api-key', apiKey);
    }
    const app = new AppService(this, 'app', {
      ...place,
      planName: names.servicePlan,
      appName: names.webApp,
      autoscaleName: names.autoscale,
      sku: env.appServiceSku,
      registry: { id: registry.registry.id, loginServer: registry.registry.loginServer },
      imageRepository: IMAGE_REPOSITORY,
      appSettings: settings,
      instances: env.instances,
      publicAccess: { reason: EXPOSURE.app },
      network,
      monitoring,
    });
    secrets.grantRead('app-reads-secrets', app.principalId);
    monitoring.grantPublish(app, app.principalId);

    const factory = new IngestFactory(this, 'ingest', {
      ...place,
      name: names.dataFactory,
      storage: {
        accountId: storage.account.id,
        blobEndpoint: storage.account.primaryBlobEndpoint,
        container: DATASET_CONTAINER,
        blob: DATASET_BLOB,
      },
      sql: database.connection,
      profile,
      monitoring,
    });

    const appUrl = `https://${app.app.defaultHostname}`;
    new Alerts(this, 'alerts', {
      ...place,
      name: `${WORKLOAD}-${env.name}`,
      monitoring,
      appUrl,
      email: env.alertEmail,
    });

    const outputs: Record<keyof typeof OUTPUTS, string> = {
      webAppUrl: appUrl,
      webAppName: app.app.name,
      resourceGroupName: group.name,
      registryName: registry.registry.name,
      registryId: registry.registry.id,
      registryLoginServer: registry.registry.loginServer,
      dataFactoryName: factory.factory.name,
      storageAccountName: storage.account.name,
      keyVaultName: secrets.vault.name,
      sqlServerHost: database.connection.server,
      sqlServerName: database.server.name,
      sqlDatabaseName: database.connection.database,
      // A managed identity's database user is named after its resource.
      appPrincipalName: app.app.name,
      appPrincipalId: app.principalId,
      ingestPrincipalName: factory.factory.name,
      ingestPrincipalId: factory.principalId,
    };
    for (const [key, value] of Object.entries(outputs))
      new TerraformOutput(this, OUTPUTS[key as keyof typeof OUTPUTS], { value });

    Aspects.of(this).add(new RequiredTags({ environment: env.name, service: WORKLOAD }));
    Aspects.of(this).add(new PlatformPolicy());
  }

  /**
   * An ephemeral, sensitive input that only a write-only attribute receives: it sits in no plan
   * file and no state. Changing the value needs its `<name>_version` bumped (write-only values are
   * never compared).
   */
  private writeOnlySecret(name: string, description: string): WriteOnlyValue {
    const value = new TerraformVariable(this, name, { type: 'string', sensitive: true, description });
    value.addOverride('ephemeral', true);
    const version = new TerraformVariable(this, `${name}_version`, {
      type: 'number',
      default: 1,
      description: `Bump to write a new ${name} into Key Vault`,
    });
    return { writeOnly: value.stringValue, version: version.numberValue };
  }
}

function backendFromEnvironment(env: EnvironmentConfig['name']) {
  const storageAccountName = process.env.TFSTATE_STORAGE_ACCOUNT;
  if (!storageAccountName) {
    // The deploy workflow sets TFSTATE_REQUIRED: a job that plans against an empty local state
    // would try to create everything again.
    if (process.env.TFSTATE_REQUIRED === 'true')
      throw new Error(
        'TFSTATE_STORAGE_ACCOUNT is empty but TFSTATE_REQUIRED=true: set the repository secrets the bootstrap printed',
      );
    return undefined;
  }
  return {
    storageAccountName,
    resourceGroupName: process.env.TFSTATE_RESOURCE_GROUP || bootstrapNames().resourceGroup,
    containerName: bootstrapNames().stateContainer(env),
  };
}
