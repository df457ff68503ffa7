import { ENVIRONMENTS } from './config/environments';
import { App } from './provider';
import { BootstrapStack } from './stacks/bootstrap-stack';
import { PlatformStack } from './stacks/platform-stack';

/**
 * The one entry point for infrastructure (`cdktf.json` runs this): the once-per-subscription
 * bootstrap, then one stack per environment.
 */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm run synth

Synthesizes the CDKTF stacks to cdktf.out/stacks/: bootstrap (once per subscription, see
npm run bootstrap) and anime-<environment> for each of ${Object.keys(ENVIRONMENTS).join(', ')}.
FIREBASE_PROJECT_ID, when set, is written into the app's settings. Nothing is deployed.`);
  process.exit(0);
}
const app = new App();
new BootstrapStack(app, 'bootstrap');
for (const environment of Object.values(ENVIRONMENTS)) {
  new PlatformStack(app, `anime-${environment.name}`, {
    environment,
    firebaseProjectId: process.env.FIREBASE_PROJECT_ID || undefined,
  });
}
app.synth();
