/**
 * What each kind of step needs from Azure, and where: Terraform's resources and data sources, the
 * state backend, the `az` commands of the workflow's run blocks, and the data-plane steps.
 */
import type { Need } from './access';
import {
  addresses,
  armId,
  bodyOf,
  groupOf,
  isDirectoryObject,
  referencesIn,
  resourceTypeOf,
  type SynthesizedStack,
  typeOfAddress,
} from './arm';
import { roleNamed } from './roles';

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

/** Referencing one of these by id makes ARM check an action on it (LinkedAuthorization). */
const LINKED_ACTIONS: Readonly<Record<string, string>> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': 'assign/action',
  'Microsoft.Network/virtualNetworks/subnets': 'join/action',
  'Microsoft.Network/publicIPAddresses': 'join/action',
  'Microsoft.Network/natGateways': 'join/action',
  'Microsoft.Network/networkSecurityGroups': 'join/action',
};

/** Actions Terraform needs to create every resource of a stack (the first apply). */
export function createNeeds(stack: SynthesizedStack): Need[] {
  return addresses(stack, 'resource')
    .filter((a) => !isDirectoryObject(a))
    .flatMap((address) => {
      const body = bodyOf(stack, address);
      const id = armId(stack, address);
      const type = typeOfAddress(address);
      const own: Need[] =
        type === 'azurerm_key_vault_secret'
          ? [
              {
                action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
                dataAction: true,
                scope: parentOf(id, 2),
                why: address,
              },
            ]
          : type === 'azurerm_role_assignment'
            ? [
                {
                  action: 'Microsoft.Authorization/roleAssignments/write',
                  scope: parentOf(id, 4),
                  why: `${address} (${body.role_definition_name})`,
                  assignment: {
                    roleId: roleNamed(body.role_definition_name).id,
                    principalType: body.principal_type,
                  },
                },
              ]
            : [{ action: `${resourceTypeOf(id)}/write`, scope: id, why: address }];
      return [...own, ...linkedNeeds(stack, address, id)];
    });
}

/** Cross-resource references that ARM authorizes on the referenced resource, and cross-group reads. */
function linkedNeeds(stack: SynthesizedStack, address: string, id: string): Need[] {
  const needs: Need[] = [];
  const seen = new Set<string>();
  for (const ref of referencesIn(bodyOf(stack, address))) {
    if (ref.attribute !== 'id' || isDirectoryObject(ref.address) || ref.address.includes('client_config'))
      continue;
    const target = armId(stack, ref.address);
    if (seen.has(target) || target === id) continue;
    seen.add(target);
    const targetType = resourceTypeOf(target);
    const linked = LINKED_ACTIONS[targetType];
    if (linked)
      needs.push({
        action: `${targetType}/${linked}`,
        scope: target,
        why: `${address} references ${ref.address}`,
      });
    else if (groupOf(target) && groupOf(id) && groupOf(target)!.toLowerCase() !== groupOf(id)!.toLowerCase())
      needs.push({
        action: `${targetType}/read`,
        scope: target,
        why: `${address} references ${ref.address} in another resource group`,
      });
  }
  return needs;
}

/** Reads of every data source: Terraform makes them at every plan, -refresh=false included. */
export function dataSourceNeeds(stack: SynthesizedStack): Need[] {
  return addresses(stack, 'data').flatMap((address) => {
    const type = typeOfAddress(address);
    if (type === 'azurerm_client_config') return [];
    const id = armId(stack, address);
    return [{ action: `${resourceTypeOf(id)}/read`, scope: id, why: `${address} (read at plan time)` }];
  });
}

/** Reads of every existing resource when a plan refreshes (runs after the first). */
export function refreshNeeds(stack: SynthesizedStack): Need[] {
  return addresses(stack, 'resource')
    .filter((a) => !isDirectoryObject(a))
    .map((address) => {
      const id = armId(stack, address);
      if (typeOfAddress(address) === 'azurerm_key_vault_secret')
        return {
          action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
          dataAction: true,
          scope: parentOf(id, 2),
          why: `${address} (refresh)`,
        };
      return {
        action: `${resourceTypeOf(id)}/read`,
        scope: typeOfAddress(address) === 'azurerm_role_assignment' ? parentOf(id, 4) : id,
        why: `${address} (refresh)`,
      };
    });
}

/** The azurerm backend with Entra auth: reads the state blob; a locking command also leases (writes) it. */
export function stateNeeds(container: string, write: boolean, why: string): Need[] {
  return [
    { action: `${BLOBS}/read`, dataAction: true, scope: container, why: `${why}: read the state` },
    ...(write
      ? [
          {
            action: `${BLOBS}/write`,
            dataAction: true,
            scope: container,
            why: `${why}: lease (lock) and write the state`,
          },
        ]
      : []),
  ];
}

function parentOf(id: string, segments: number): string {
  return id.split('/').slice(0, -segments).join('/');
}

/** Minutes a resource takes to create (Microsoft's stated or typical times; a model, not a promise). */
const CREATE_MINUTES: ReadonlyArray<[RegExp, number]> = [
  [/^Microsoft\.Cache\/redisEnterprise$/i, 30],
  [/^Microsoft\.Cache\/redis$/i, 30],
  [/^Microsoft\.Sql\/servers$/i, 5],
  [/^Microsoft\.Sql\/servers\/databases$/i, 4],
  [/^Microsoft\.Network\/privateEndpoints$/i, 2],
  [/^Microsoft\.Web\/sites$/i, 2],
  [
    /^Microsoft\.(Web\/serverfarms|KeyVault\/vaults|ContainerRegistry\/registries|Storage\/storageAccounts|DataFactory\/factories|OperationalInsights\/workspaces|Network\/natGateways|Insights\/components)$/i,
    1,
  ],
];

/** The first apply's duration: the longest chain of creations through references (parallel otherwise). */
export function firstApplyMinutes(stack: SynthesizedStack): number {
  const memo = new Map<string, number>();
  const finish = (address: string): number => {
    if (memo.has(address)) return memo.get(address)!;
    memo.set(address, 0);
    if (address.startsWith('data.') || isDirectoryObject(address)) return 0;
    const own = CREATE_MINUTES.find(([re]) => re.test(resourceTypeOf(armId(stack, address))))?.[1] ?? 0.3;
    const body = bodyOf(stack, address);
    const upstream = [
      ...referencesIn(body).map((r) => r.address),
      ...((body.depends_on ?? []) as string[]),
    ].filter((a) => a !== address);
    const before = Math.max(0, ...upstream.map(finish));
    const total = before + own;
    memo.set(address, total);
    return total;
  };
  return Math.max(0, ...addresses(stack, 'resource').map(finish));
}
