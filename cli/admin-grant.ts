import { parseArgs } from 'node:util';
import { openAccounts } from '../composition/accounts';
import { openConfiguredStore } from '../composition/catalogue-store';
import { loadConfig } from '../platform/config';
import { ROLES, type Role } from '../platform/core/ports/user-repository';
import { createLogger } from '../platform/logger';

const USAGE = 'usage: npm run admin:grant -- <email> [--role admin|user]';

/** Grants a role to an existing account: in our users table and as the identity provider's claim. */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'admin' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`${USAGE}

Grants a role to an existing account, in the users table and as the identity provider's claim
(Firebase custom claims, or the local provider's record). Uses the configured database
(DATABASE_PATH, or SQL_SERVER/SQL_DATABASE) and identity provider, as the API does. The last
admin cannot be demoted.`);
    return;
  }
  const [email] = positionals;
  const role = values.role as Role;
  if (!email || positionals.length > 1 || !ROLES.includes(role)) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const store = await openConfiguredStore(config);
  const accounts = openAccounts(config, store, createLogger('warn'), { issuesTokens: false });
  try {
    const account = await accounts.grantRole(email, role);
    console.log(`${account.email} is now ${account.role}`);
  } finally {
    await accounts.identity.close();
    await store.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
