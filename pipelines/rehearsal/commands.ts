/**
 * The `az` commands the workflow runs, keyed by command: the actions each needs (and on which of
 * its arguments), the token audience it asks the CLI for, and the source each entry was checked
 * against. A command missing here fails the rehearsal: a new `az` line cannot go unexamined.
 */
import type { Need } from './access';

const CLI = 'azure-cli src/azure-cli/azure/cli/command_modules';

export type Audience = 'arm' | 'storage' | 'sql';

export interface AzCall {
  readonly command: string;
  readonly flags: Readonly<Record<string, string | true>>;
}

/** Resolves an argument (a literal, `$VAR`, `${OUT_X}`, `${{ needs.J.outputs.X }}`) to the ARM id it names. */
export type Resolve = (flag: string) => string;

export interface AzEntry {
  readonly audience: Audience;
  readonly needs: (call: AzCall, resolve: Resolve) => Need[];
  readonly source: string;
  /** Minutes it takes at most (a model). @default 0.3 */
  readonly minutes?: number;
}

const need = (action: string, scope: string, why: string, dataAction = false): Need => ({
  action,
  scope,
  why,
  ...(dataAction ? { dataAction } : {}),
});

/** `az keyvault network-rule add|remove` GET the vault, then PUT it with or without the rule. */
function vaultRule(verb: 'add' | 'remove'): AzEntry {
  return {
    audience: 'arm',
    source: `${CLI}/keyvault/custom.py ${verb}_network_rule: GET the vault, then PUT it ${verb === 'add' ? 'with' : 'without'} the rule`,
    needs: (c, r) => [
      need('Microsoft.KeyVault/vaults/read', r('--name'), c.command),
      need('Microsoft.KeyVault/vaults/write', r('--name'), c.command),
    ],
  };
}

const AZ_COMMANDS: Readonly<Record<string, AzEntry>> = {
  'az keyvault network-rule add': vaultRule('add'),
  'az keyvault network-rule remove': vaultRule('remove'),
  'az sql server firewall-rule create': {
    audience: 'arm',
    source: `${CLI}/sql/custom.py firewall_rule_create: PUT servers/{server}/firewallRules/{name}`,
    needs: (c, r) => [need('Microsoft.Sql/servers/firewallRules/write', r('--server'), c.command)],
  },
  'az sql server firewall-rule delete': {
    audience: 'arm',
    source: `${CLI}/sql/_util.py firewall_rules client delete: DELETE servers/{server}/firewallRules/{name}`,
    needs: (c, r) => [need('Microsoft.Sql/servers/firewallRules/delete', r('--server'), c.command)],
  },
  'az acr login': {
    audience: 'arm',
    source: `${CLI}/acr/custom.py acr_login → _utils.py get_registry_by_name (finds the registry by listing resources by name)`,
    needs: (c, r) => [need('Microsoft.ContainerRegistry/registries/read', r('--name'), c.command)],
  },
  'az acr import': {
    audience: 'arm',
    minutes: 1,
    source:
      `${CLI}/acr/import.py acr_import: with --registry <resource id> the source is that id; without it, ` +
      '_utils.py get_registry_from_name_or_login_server lists the registries the caller can read and, finding none, ' +
      'pulls anonymously. Microsoft Learn "Import container images": Reader on the source, importImage on the target',
    needs: (c, r) => {
      const target = r('--name');
      const source = c.flags['--registry'] ? r('--registry') : r('--source');
      const how = c.flags['--registry']
        ? 'by resource id (--registry)'
        : 'found by listing registries (no --registry)';
      return [
        need('Microsoft.ContainerRegistry/registries/read', target, `${c.command}: the target`),
        need('Microsoft.ContainerRegistry/registries/importImage/action', target, `${c.command}: the target`),
        need('Microsoft.ContainerRegistry/registries/read', source, `${c.command}: the source, ${how}`),
        need('Microsoft.ContainerRegistry/registries/pull/read', source, `${c.command}: the source, ${how}`),
      ];
    },
  },
  'az webapp config container set': {
    audience: 'arm',
    source: `${CLI}/appservice/custom.py update_container_settings: lists the app settings, then updates site config and settings`,
    needs: (c, r) => [
      need('Microsoft.Web/sites/config/list/action', r('--name'), c.command),
      need('Microsoft.Web/sites/config/write', r('--name'), c.command),
    ],
  },
  'az storage blob upload': {
    audience: 'storage',
    source: `${CLI}/storage (--auth-mode login: an Entra token for storage, Put Blob on the data plane)`,
    needs: (c, r) => {
      if (c.flags['--auth-mode'] !== 'login')
        return [
          need(
            'Microsoft.Storage/storageAccounts/listKeys/action',
            r('--account-name'),
            `${c.command} without --auth-mode login lists the account keys`,
          ),
        ];
      return [
        need(
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          `${r('--account-name')}/blobServices/default/containers/${c.flags['--container-name']}`,
          c.command,
          true,
        ),
      ];
    },
  },
  'az extension add': {
    audience: 'arm',
    source: 'installs a CLI extension from its index; no Azure call',
    needs: () => [],
  },
  'az datafactory pipeline create-run': {
    audience: 'arm',
    source: 'azure-cli-extensions src/datafactory: POST factories/{factory}/pipelines/{name}/createRun',
    needs: (c, r) => [
      need('Microsoft.DataFactory/factories/pipelines/createrun/action', r('--factory-name'), c.command),
    ],
  },
  'az datafactory pipeline-run show': {
    audience: 'arm',
    minutes: 0.05,
    source: 'azure-cli-extensions src/datafactory: GET factories/{factory}/pipelineruns/{runId}',
    needs: (c, r) => [
      need('Microsoft.DataFactory/factories/pipelineruns/read', r('--factory-name'), c.command),
    ],
  },
};

/** Splits one `az …` invocation into its command words and flags. */
export function parseAz(line: string): AzCall {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const command: string[] = [];
  let i = 0;
  while (i < words.length && !words[i]!.startsWith('-')) command.push(words[i++]!);
  const flags: Record<string, string | true> = {};
  while (i < words.length) {
    const flag = words[i++]!;
    if (!flag.startsWith('--')) continue;
    const next = words[i];
    if (next !== undefined && !next.startsWith('--')) {
      flags[flag] = next;
      i++;
    } else flags[flag] = true;
  }
  return { command: command.join(' '), flags };
}

/** The entry for a call: the longest table key its command words start with. */
export function entryFor(call: AzCall): [string, AzEntry] | undefined {
  const key = Object.keys(AZ_COMMANDS)
    .filter((k) => call.command === k || call.command.startsWith(`${k} `))
    .sort((a, b) => b.length - a.length)[0];
  return key ? [key, AZ_COMMANDS[key]!] : undefined;
}
