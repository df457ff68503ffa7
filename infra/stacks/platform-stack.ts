import { BUILT_IN_PROFILES } from '../../catalogue/profiles';
import {
  DATASET_BLOB,
  DATASET_CONTAINER,
  type EnvironmentConfig,
  IMAGE_REPOSITORY,
  namesFor,
  WORKLOAD,
} from '../config/environments';
import { AppService } from '../constructs/app-service';
import { Cache } from '../constructs/cache';
import { IngestFactory } from '../constructs/data-factory';
import { Database } from '../constructs/database';
import { Secrets } from '../constructs/key-vault';
import { Monitoring } from '../constructs/monitoring';
import { Network } from '../constructs/network';
import { Registry } from '../constructs/registry';
import { DatasetStorage } from '../constructs/storage';
import { PlatformPolicy, RequiredTags } from '../policy/platform-policy';
import {
  Aspects,
  AzurermBackend,
  AzurermProvider,
  type Construct,
  DataAzurermClientConfig,
  LocalBackend,
  ResourceGroup,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
} from '../provider';

export interface PlatformStackProps {
  readonly environment: EnvironmentConfig;
  /** Remote state; unset = a local state file (synth and tests). @default from TFSTATE_* variables */
  readonly backend?: {
    readonly resourceGroupName: string;
    readonly storageAccountName: string;
    readonly containerName: string;
  };
  /** Firebase Authentication; unset = the API's local identity provider. @default unset */
  readonly firebaseProjectId?: string;
}

/** The names of the stack outputs the delivery pipelines read. */
export const OUTPUTS = {
  webAppUrl: 'web_app_url',
  webAppName: 'web_app_name',
  registryLoginServer: 'acr_login_server',
  dataFactoryName: 'data_factory_name',
  resourceGroupName: 'resource_group_name',
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
    const names = namesFor(env.name);
    new AzurermProvider(this, 'azurerm', { features: [{}], storageUseAzuread: true });
    const backend = props.backend ?? backendFromEnvironment();
    if (backend)
      new AzurermBackend(this, {
        ...backend,
        key: `${WORKLOAD}-${env.name}.tfstate`,
        useOidc: true,
        useAzureadAuth: true,
      });
    else new LocalBackend(this, { path: `terraform.${env.name}.tfstate` });

    const client = new DataAzurermClientConfig(this, 'client');
    const group = new ResourceGroup(this, 'group', { name: names.resourceGroup, location: env.location });
    const place = { resourceGroupName: group.name, location: group.location };
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
      deployerObjectId: client.objectId,
      publicAccess: { reason: EXPOSURE.vault },
      monitoring,
    });
    const database = new Database(this, 'database', {
      ...place,
      serverName: names.sqlServer,
      databaseName: names.sqlDatabase,
      entraAdmin: { login: 'anime-deployer', objectId: client.objectId },
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
      uploaderObjectId: client.objectId,
      publicAccess: { reason: EXPOSURE.storage },
      monitoring,
    });

    const jwtSecret = new TerraformVariable(this, 'jwt_secret', {
      type: 'string',
      sensitive: true,
      description: 'HS256 signing secret (>= 32 bytes); pass as TF_VAR_jwt_secret from a CI secret',
    });
    const adminBootstrapToken = new TerraformVariable(this, 'admin_bootstrap_token', {
      type: 'string',
      sensitive: true,
      description:
        'One-time secret that makes the first account presenting it the admin (>= 32 bytes); pass as TF_VAR_admin_bootstrap_token from a CI secret',
    });
    const settings: Record<string, string> = {
      INGEST_PROFILE: profile.name,
      NODE_ENV: 'production',
      PORT: '8080',
      // Requests reach the container through App Service's front end, which appends the client's
      // address to X-Forwarded-For and is the TCP peer of every connection.
      TRUSTED_PROXY_HOPS: '1',
      HTTP_MAX_CONNECTIONS_PER_CLIENT: '0',
      SEED_ON_EMPTY: 'false',
      DB_DRIVER: 'mssql',
      SQL_SERVER: database.connection.server,
      SQL_DATABASE: database.connection.database,
      MSSQL_AUTHENTICATION: 'azure-active-directory-default',
      REDIS_CLUSTER: String(cache.clustered),
      JWT_SECRET: secrets.secret('jwt-secret', 'jwt-secret', jwtSecret.stringValue),
      ADMIN_BOOTSTRAP_TOKEN: secrets.secret(
        'admin-bootstrap-token',
        'admin-bootstrap-token',
        adminBootstrapToken.stringValue,
      ),
      REDIS_URL: secrets.secret('redis-url', 'redis-url', cache.url),
      APPLICATIONINSIGHTS_CONNECTION_STRING: secrets.secret(
        'appinsights',
        'appinsights-connection-string',
        monitoring.appInsights.connectionString,
      ),
    };
    if (props.firebaseProjectId) {
      const apiKey = new TerraformVariable(this, 'firebase_api_key', { type: 'string', sensitive: true });
      settings.FIREBASE_PROJECT_ID = props.firebaseProjectId;
      settings.FIREBASE_API_KEY = secrets.secret('firebase-api-key', 'firebase-api-key', apiKey.stringValue);
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

    new TerraformOutput(this, OUTPUTS.webAppUrl, { value: `https://${app.app.defaultHostname}` });
    new TerraformOutput(this, OUTPUTS.webAppName, { value: app.app.name });
    new TerraformOutput(this, OUTPUTS.registryLoginServer, { value: registry.registry.loginServer });
    new TerraformOutput(this, OUTPUTS.dataFactoryName, { value: factory.factory.name });
    new TerraformOutput(this, OUTPUTS.resourceGroupName, { value: group.name });

    Aspects.of(this).add(new RequiredTags({ environment: env.name, service: WORKLOAD }));
    Aspects.of(this).add(new PlatformPolicy());
  }
}

function backendFromEnvironment() {
  const storageAccountName = process.env.TFSTATE_STORAGE_ACCOUNT;
  if (!storageAccountName) return undefined;
  return {
    storageAccountName,
    resourceGroupName: process.env.TFSTATE_RESOURCE_GROUP ?? 'rg-anime-tfstate',
    containerName: process.env.TFSTATE_CONTAINER ?? 'tfstate',
  };
}
