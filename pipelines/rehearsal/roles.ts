/**
 * The built-in Azure roles this project assigns, vendored: only the permission blocks, only these
 * roles. Source: Microsoft Learn, "Azure built-in roles" (learn.microsoft.com/azure/role-based-
 * access-control/built-in-roles), each checked against the role's JSON as Azure serves it
 * (`az role definition list --name <id>`, mirrored by azure-rbac-catalog.org) on 2026-12-06.
 * A role the bootstrap assigns that is missing here fails the rehearsal, so the table cannot lag.
 */
export interface RoleDefinition {
  readonly id: string;
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
  readonly dataActions?: readonly string[];
}

const BLOB = 'Microsoft.Storage/storageAccounts/blobServices';

export const BUILT_IN_ROLES: Readonly<Record<string, RoleDefinition>> = {
  Contributor: {
    id: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  },
  Reader: { id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', actions: ['*/read'] },
  'Role Based Access Control Administrator': {
    id: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    actions: [
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      '*/read',
      'Microsoft.Support/*',
    ],
  },
  'Managed Identity Operator': {
    id: 'f1a07417-d97a-45cb-824c-7a7467783830',
    actions: [
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/read',
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Support/*',
    ],
  },
  AcrPull: {
    id: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
  },
  'Key Vault Secrets Officer': {
    id: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
      'Microsoft.KeyVault/checkNameAvailability/read',
      'Microsoft.KeyVault/deletedVaults/read',
      'Microsoft.KeyVault/locations/*/read',
      'Microsoft.KeyVault/vaults/*/read',
      'Microsoft.KeyVault/operations/read',
    ],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  },
  'Key Vault Secrets User': {
    id: '4633458b-17de-408a-b874-0445c86b69e6',
    actions: [],
    dataActions: [
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
    ],
  },
  'Storage Blob Data Contributor': {
    id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    actions: [
      `${BLOB}/containers/delete`,
      `${BLOB}/containers/read`,
      `${BLOB}/containers/write`,
      `${BLOB}/generateUserDelegationKey/action`,
    ],
    dataActions: [
      `${BLOB}/containers/blobs/delete`,
      `${BLOB}/containers/blobs/read`,
      `${BLOB}/containers/blobs/write`,
      `${BLOB}/containers/blobs/move/action`,
      `${BLOB}/containers/blobs/add/action`,
    ],
  },
  'Storage Blob Data Reader': {
    id: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
    actions: [`${BLOB}/containers/read`, `${BLOB}/generateUserDelegationKey/action`],
    dataActions: [`${BLOB}/containers/blobs/read`],
  },
  'Monitoring Metrics Publisher': {
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    actions: [
      'Microsoft.Insights/Register/Action',
      'Microsoft.Support/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ],
    dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'],
  },
};

export function roleNamed(name: string): RoleDefinition {
  const role = BUILT_IN_ROLES[name];
  if (!role)
    throw new Error(
      `role "${name}" is not in the rehearsal's table (pipelines/rehearsal/roles.ts): vendor its definition`,
    );
  return role;
}

export function roleNameOf(id: string): string | undefined {
  return Object.entries(BUILT_IN_ROLES).find(([, role]) => role.id === id)?.[0];
}

/**
 * Azure's wildcard: `*` matches any characters, and a `*` segment may also match no segment, as in
 * Managed Identity Operator's `userAssignedIdentities/*\/assign/action`, which grants
 * `userAssignedIdentities/assign/action` (the action a LinkedAuthorizationFailed names). Case-insensitive.
 */
function pattern(glob: string): RegExp {
  const escaped = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped.replace(/\\\/\.\*\\\//g, '(?:\\/.*\\/|\\/)')}$`, 'i');
}
const compiled = new Map<string, RegExp>();
function matches(glob: string, action: string): boolean {
  let re = compiled.get(glob);
  if (!re) {
    re = pattern(glob);
    compiled.set(glob, re);
  }
  return re.test(action);
}

/** Whether the role permits the action (data actions are a separate list, as in Azure). */
export function permits(role: RoleDefinition, action: string, dataAction: boolean): boolean {
  if (dataAction) return (role.dataActions ?? []).some((a) => matches(a, action));
  return (
    role.actions.some((a) => matches(a, action)) && !(role.notActions ?? []).some((a) => matches(a, action))
  );
}
