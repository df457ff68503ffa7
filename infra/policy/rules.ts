/** One resource as it will be synthesized: its Terraform type and its (snake_case) arguments. */
export interface ResourceView {
  readonly type: string;
  readonly config: Record<string, unknown>;
  readonly taggable: boolean;
}

export interface PolicyRule {
  readonly id: string;
  readonly description: string;
  /** The violation's message, or undefined when the resource complies. */
  check(resource: ResourceView): string | undefined;
}

/** A single nested block synthesizes as an object (sometimes a one-element list). */
function block(config: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = config[name];
  return (Array.isArray(value) ? value[0] : value) ?? {};
}

const SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|CONNECTION_STRING|SERVICE_ACCOUNT|REDIS_URL)/i;
const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/;

/** Where each resource type says "public network access", and the value that means "off". */
const PUBLIC_ACCESS: Record<string, { argument: string; off: unknown }> = {
  azurerm_mssql_server: { argument: 'public_network_access_enabled', off: false },
  azurerm_container_registry: { argument: 'public_network_access_enabled', off: false },
  azurerm_key_vault: { argument: 'public_network_access_enabled', off: false },
  azurerm_storage_account: { argument: 'public_network_access_enabled', off: false },
  azurerm_redis_cache: { argument: 'public_network_access_enabled', off: false },
  azurerm_managed_redis: { argument: 'public_network_access', off: 'Disabled' },
  azurerm_linux_web_app: { argument: 'public_network_access_enabled', off: false },
  azurerm_data_factory: { argument: 'public_network_enabled', off: false },
};

const REQUIRED_TAGS = ['environment', 'service'] as const;

export const RULES: readonly PolicyRule[] = [
  {
    id: 'HTTPS_ONLY',
    description: 'Web apps and storage accept HTTPS only',
    check: ({ type, config }) => {
      if (type === 'azurerm_linux_web_app' && config.https_only !== true) return 'https_only must be true';
      if (type === 'azurerm_storage_account' && config.https_traffic_only_enabled === false)
        return 'https_traffic_only_enabled must not be false';
      return undefined;
    },
  },
  {
    id: 'TLS_1_2',
    description: 'TLS 1.2 or newer everywhere, and no plaintext ports',
    check: ({ type, config }) => {
      const modern = (v: unknown) => v === '1.2' || v === '1.3';
      switch (type) {
        case 'azurerm_mssql_server':
          return modern(config.minimum_tls_version) ? undefined : 'minimum_tls_version must be 1.2';
        case 'azurerm_storage_account':
          return ['TLS1_2', 'TLS1_3'].includes(String(config.min_tls_version))
            ? undefined
            : 'min_tls_version must be TLS1_2';
        case 'azurerm_redis_cache':
          if (config.non_ssl_port_enabled === true) return 'non_ssl_port_enabled must be false';
          return modern(config.minimum_tls_version) ? undefined : 'minimum_tls_version must be 1.2';
        case 'azurerm_managed_redis': {
          const protocol = block(config, 'default_database').client_protocol;
          return protocol === undefined || protocol === 'Encrypted'
            ? undefined
            : 'client_protocol must be Encrypted';
        }
        case 'azurerm_linux_web_app': {
          const site = block(config, 'site_config');
          if (!modern(site.minimum_tls_version) || !modern(site.scm_minimum_tls_version))
            return 'site_config minimum_tls_version and scm_minimum_tls_version must be 1.2';
          return site.ftps_state === 'Disabled' ? undefined : 'site_config ftps_state must be Disabled';
        }
        default:
          return undefined;
      }
    },
  },
  {
    id: 'NO_ACR_ADMIN',
    description: 'Container registries use Entra identities, never the admin user or anonymous pull',
    check: ({ type, config }) =>
      type === 'azurerm_container_registry' &&
      (config.admin_enabled === true || config.anonymous_pull_enabled === true)
        ? 'admin_enabled and anonymous_pull_enabled must be false'
        : undefined,
  },
  {
    id: 'NO_PUBLIC_NETWORK',
    description: 'Public network access is off unless a suppression gives the reason',
    check: ({ type, config }) => {
      const rule = PUBLIC_ACCESS[type];
      if (!rule || config[rule.argument] === rule.off) return undefined;
      return `${rule.argument} must be ${JSON.stringify(rule.off)} (or suppressed with a reason)`;
    },
  },
  {
    id: 'NO_PLAINTEXT_SECRETS',
    description: 'Secret-looking app settings are Key Vault references',
    check: ({ type, config }) => {
      if (type !== 'azurerm_linux_web_app') return undefined;
      const settings = (config.app_settings ?? {}) as Record<string, unknown>;
      const plain = Object.entries(settings)
        .filter(([name, value]) => {
          const text = String(value);
          if (KEY_VAULT_REFERENCE.test(text)) return false;
          return SECRET_NAME.test(name) || CREDENTIALS_IN_URL.test(text);
        })
        .map(([name]) => name);
      return plain.length ? `app settings ${plain.join(', ')} must be Key Vault references` : undefined;
    },
  },
  {
    id: 'REQUIRED_TAGS',
    description: `Every taggable resource carries the tags ${REQUIRED_TAGS.join(', ')}`,
    check: ({ taggable, config }) => {
      if (!taggable) return undefined;
      const tags = (config.tags ?? {}) as Record<string, unknown>;
      const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
      return missing.length ? `missing tags: ${missing.join(', ')}` : undefined;
    },
  },
];
