import {
  bootstrapNames,
  ENVIRONMENTS,
  type EnvironmentName,
  namesFor,
  PLACEHOLDER_SUBSCRIPTION,
  targetSubscription,
  WORKLOAD,
} from '../config/environments';
import {
  CLIENT_ID_SECRETS,
  GITHUB_ENVIRONMENTS,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
} from '../config/github';
import { allowPublicAccess, ROLES } from '../constructs/common';
import { PlatformPolicy, RequiredTags } from '../policy/platform-policy';
import {
  Annotations,
  Aspects,
  AzureadProvider,
  AzurermProvider,
  type Construct,
  DataAzurermClientConfig,
  DirectoryRole,
  DirectoryRoleAssignment,
  FederatedIdentityCredential,
  Fn,
  LocalBackend,
  LogAnalyticsWorkspace,
  MonitorDiagnosticSetting,
  ResourceGroup,
  RoleAssignment,
  StorageAccount,
  StorageContainer,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
  UserAssignedIdentity,
} from '../provider';

/** Built-in role ids the deployer may hand out (and nothing else): the roles the platform stack assigns. */
export const DELEGABLE_ROLES = {
  [ROLES.acrPull]: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  [ROLES.keyVaultSecretsUser]: '4633458b-17de-408a-b874-0445c86b69e6',
  [ROLES.storageBlobDataReader]: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  [ROLES.monitoringMetricsPublisher]: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/**
 * An ABAC condition that lets the holder assign and remove only the given roles, and only to
 * service principals (constrained delegation; Microsoft Learn, "Delegate Azure role assignment
 * management to others with conditions"): the deployer can hand its app identities their roles,
 * never a role to a person or a group.
 */
export function onlyTheseRoles(roleIds: readonly string[]): string {
  const ids = roleIds.join(', ');
  const onlyServicePrincipals = (side: 'Request' | 'Resource') =>
    `@${side}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`;
  return [
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}} AND ${onlyServicePrincipals('Request')}))`,
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}} AND ${onlyServicePrincipals('Resource')}))`,
  ].join(' AND ');
}

/** The activity-log categories a security review reads: changes, security alerts, policy, service health. */
const ACTIVITY_LOG_CATEGORIES = ['Administrative', 'Security', 'Policy', 'ServiceHealth', 'Alert'] as const;

/** The repository secrets the deploy workflow needs; the bootstrap prints a value for each. */
export const BOOTSTRAP_OUTPUTS = {
  tenant: 'AZURE_TENANT_ID',
  subscription: 'AZURE_SUBSCRIPTION_ID',
  planner: CLIENT_ID_SECRETS.planner,
  stateGroup: 'TFSTATE_RESOURCE_GROUP',
  stateAccount: 'TFSTATE_STORAGE_ACCOUNT',
} as const;

export interface BootstrapStackProps {
  /** @default ARM_SUBSCRIPTION_ID, else a placeholder (offline synth only) */
  readonly subscriptionId?: string;
  /** Where the state account and the identities live. @default dev's location */
  readonly location?: string;
  /** @default every environment */
  readonly environments?: readonly EnvironmentName[];
}

/**
 * Run once by a subscription owner (with a role that can assign Directory Readers), with its own
 * local state: the remote state account, one deployer identity per environment and a read-only
 * planner, each with federated credentials for exactly the subjects the deploy workflow presents,
 * the environments' resource groups, and every role the deployers need granted before their
 * first apply (so none is still propagating when it is used).
 */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: BootstrapStackProps = {}) {
    super(scope, id);
    const subscriptionId = props.subscriptionId ?? targetSubscription();
    if (subscriptionId === PLACEHOLDER_SUBSCRIPTION)
      Annotations.of(this).addWarning(
        'ARM_SUBSCRIPTION_ID is unset: names derive from a placeholder subscription.',
      );
    const environments = props.environments ?? (Object.keys(ENVIRONMENTS) as EnvironmentName[]);
    const shared = bootstrapNames(subscriptionId);
    const location = props.location ?? ENVIRONMENTS.dev.location;
    new AzurermProvider(this, 'azurerm', {
      features: [{ storage: [{ dataPlaneAvailable: false }] }],
      storageUseAzuread: true,
      subscriptionId,
    });
    new AzureadProvider(this, 'azuread', {});
    // Outside cdktf.out (synth rewrites it), at the repository root, ignored by git: keep it safe.
    new LocalBackend(this, { path: '../../../.state/bootstrap.tfstate' });

    const repository = new TerraformVariable(this, 'github_repository', {
      type: 'string',
      description: 'owner/name of the GitHub repository whose workflows deploy',
    });
    repository.addValidation({
      condition: Fn.can(Fn.regex('^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$', repository.stringValue)),
      errorMessage: 'github_repository must be owner/name',
    });
    const client = new DataAzurermClientConfig(this, 'client');
    const group = new ResourceGroup(this, 'group', { name: shared.resourceGroup, location });
    const place = { resourceGroupName: group.name, location };

    const state = new StorageAccount(this, 'state', {
      ...place,
      name: shared.stateAccount,
      accountTier: 'Standard',
      accountReplicationType: 'ZRS',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      publicNetworkAccessEnabled: allowPublicAccess(this, {
        reason: 'GitHub-hosted runners read and write the Terraform state; Entra ID only, no shared keys',
      }),
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: 30 },
        containerDeleteRetentionPolicy: { days: 30 },
      },
      lifecycle: { preventDestroy: true },
    });
    // One container per environment: a role on a container is the narrowest a state grant can be,
    // so the dev deployer cannot touch prod's state.
    const stateContainer = (env: EnvironmentName) =>
      new StorageContainer(this, `${env}-state-container`, {
        name: shared.stateContainer(env),
        storageAccountId: state.id,
        containerAccessType: 'private',
      });

    const identity = (key: string, name: string, subjects: readonly string[]) => {
      const created = new UserAssignedIdentity(this, key, { ...place, name });
      subjects.forEach((subject, i) => {
        new FederatedIdentityCredential(this, `${key}-subject-${i}`, {
          name: subject.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 120),
          resourceGroupName: group.name,
          parentId: created.id,
          issuer: GITHUB_OIDC_ISSUER,
          audience: [GITHUB_OIDC_AUDIENCE],
          subject: `repo:${repository.stringValue}:${subject}`,
        });
      });
      return created;
    };
    const grant = (key: string, scopeId: string, role: string, principalId: string, condition?: string) =>
      new RoleAssignment(this, key, {
        scope: scopeId,
        roleDefinitionName: role,
        principalId,
        principalType: 'ServicePrincipal',
        ...(condition ? { condition, conditionVersion: '2.0' } : {}),
      });

    // The planner: pull requests, and the plan a prod reviewer reads (`<env>-plan`). Read-only, so
    // a branch whose workflow names a plan environment gains nothing it could not read already.
    const planner = identity('planner', shared.planner, [
      'pull_request',
      ...environments.map((env) => `environment:${GITHUB_ENVIRONMENTS.plan(env)}`),
    ]);

    const directoryReaders = new DirectoryRole(this, 'directory-readers', {
      displayName: 'Directory Readers',
    });
    const groups = new Map<EnvironmentName, ResourceGroup>();
    const deployers = new Map<EnvironmentName, UserAssignedIdentity>();
    for (const env of environments) {
      const config = ENVIRONMENTS[env];
      const envGroup = new ResourceGroup(this, `${env}-group`, {
        name: namesFor(config, subscriptionId).resourceGroup,
        location: config.location,
        ...(config.protectData ? { lifecycle: { preventDestroy: true } } : {}),
      });
      groups.set(env, envGroup);
      const container = stateContainer(env);
      // Only the release environment: its branch policy (main) and reviewers guard every write.
      const deployer = identity(`${env}-deployer`, shared.deployer(env), [
        `environment:${GITHUB_ENVIRONMENTS.release(env)}`,
      ]);
      deployers.set(env, deployer);
      const id = deployer.principalId;
      grant(`${env}-deployer-contributor`, envGroup.id, 'Contributor', id);
      grant(
        `${env}-deployer-assigns-app-roles`,
        envGroup.id,
        ROLES.rbacAdministrator,
        id,
        onlyTheseRoles(Object.values(DELEGABLE_ROLES)),
      );
      grant(`${env}-deployer-writes-secrets`, envGroup.id, ROLES.keyVaultSecretsOfficer, id);
      grant(`${env}-deployer-uploads-datasets`, envGroup.id, ROLES.storageBlobDataContributor, id);
      grant(`${env}-deployer-state`, container.id, ROLES.storageBlobDataContributor, id);
      grant(`${env}-planner-reads`, envGroup.id, ROLES.reader, planner.principalId);
      grant(`${env}-planner-reads-state`, container.id, ROLES.storageBlobDataReader, planner.principalId);
      new TerraformOutput(this, CLIENT_ID_SECRETS.deployer(env), { value: deployer.clientId });

      // The SQL server's identity reads the directory, so the admin can create users for managed identities.
      const sqlIdentity = new UserAssignedIdentity(this, `${env}-sql-identity`, {
        ...place,
        name: shared.sqlIdentity(env),
      });
      new DirectoryRoleAssignment(this, `${env}-sql-directory-readers`, {
        roleId: directoryReaders.templateId,
        principalObjectId: sqlIdentity.principalId,
      });
      // The platform stack reads this identity (a data source, at every plan) and attaches it to the
      // SQL server, which ARM authorizes as assign/action on the identity (LinkedAuthorization).
      grant(`${env}-deployer-assigns-sql-identity`, sqlIdentity.id, ROLES.managedIdentityOperator, id);
      // The SQL server's Entra admin is the deployer: the platform stack reads its principal id, so
      // every plan (the planner's too) sees the same admin, not whoever is logged in.
      grant(`${env}-deployer-reads-itself`, deployer.id, ROLES.reader, id);
      grant(`${env}-planner-reads-sql-identity`, sqlIdentity.id, ROLES.reader, planner.principalId);
      grant(`${env}-planner-reads-deployer`, deployer.id, ROLES.reader, planner.principalId);
    }
    // Prod promotes the image dev tested: `az acr import --registry <dev registry id>` needs Reader
    // on the source (Microsoft Learn, "Import container images"), which includes pull.
    const devGroup = groups.get('dev');
    const prodDeployer = deployers.get('prod');
    if (devGroup && prodDeployer)
      grant('prod-deployer-reads-dev-registry', devGroup.id, ROLES.reader, prodDeployer.principalId);

    // The subscription's activity log (who changed what, role assignments included) kept for a
    // year in a workspace only the bootstrap's operators administer: a deployer cannot erase it.
    const activity = new LogAnalyticsWorkspace(this, 'activity-log', {
      ...place,
      name: shared.activityLogWorkspace,
      sku: 'PerGB2018',
      retentionInDays: 365,
      localAuthenticationEnabled: false,
    });
    new MonitorDiagnosticSetting(this, 'activity-log-export', {
      name: 'activity-log-to-log-analytics',
      targetResourceId: `/subscriptions/${subscriptionId}`,
      logAnalyticsWorkspaceId: activity.id,
      enabledLog: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category })),
    });

    const outputs: Record<keyof typeof BOOTSTRAP_OUTPUTS, string> = {
      tenant: client.tenantId,
      subscription: subscriptionId,
      planner: planner.clientId,
      stateGroup: group.name,
      stateAccount: state.name,
    };
    for (const [key, value] of Object.entries(outputs))
      new TerraformOutput(this, BOOTSTRAP_OUTPUTS[key as keyof typeof BOOTSTRAP_OUTPUTS], { value });

    Aspects.of(this).add(new RequiredTags({ environment: 'shared', service: WORKLOAD }));
    Aspects.of(this).add(new PlatformPolicy());
  }
}
