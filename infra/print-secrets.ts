import { execFileSync } from 'node:child_process';
import { ENVIRONMENTS, type EnvironmentName } from './config/environments';
import { CLIENT_ID_SECRETS } from './config/github';
import { BOOTSTRAP_OUTPUTS } from './stacks/bootstrap-stack';

/**
 * Prints the `gh secret set` commands for the bootstrap stack's outputs (identifiers, not
 * credentials: OIDC needs no stored secret), plus the two secrets only the operator can make.
 */
const [stackDir, repository] = process.argv.slice(2);
if (!stackDir || !repository) {
  console.error('usage: tsx infra/print-secrets.ts <bootstrap stack dir> <owner/name>');
  process.exit(2);
}
const outputs = JSON.parse(
  execFileSync('terraform', [`-chdir=${stackDir}`, 'output', '-json'], { encoding: 'utf8' }),
) as Record<string, { value: string }>;
const expected = [
  ...Object.values(BOOTSTRAP_OUTPUTS),
  ...(Object.keys(ENVIRONMENTS) as EnvironmentName[]).map(CLIENT_ID_SECRETS.deployer),
];
const missing = expected.filter((name) => !outputs[name]);
if (missing.length) {
  console.error(`the bootstrap state lacks output(s) ${missing.join(', ')}: did the apply finish?`);
  process.exit(1);
}
console.log(`\nSet these repository secrets (or run the lines):\n`);
for (const name of expected)
  console.log(`gh secret set ${name} --repo ${repository} --body '${outputs[name]!.value}'`);
console.log(`
And the two only you can make (never stored anywhere but GitHub and Key Vault):
openssl rand -base64 48 | gh secret set JWT_SECRET --repo ${repository}
openssl rand -base64 48 | gh secret set ADMIN_BOOTSTRAP_TOKEN --repo ${repository}

The release environments are protected (branch main; you review prod). Then push to main.`);
