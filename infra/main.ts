import { ENVIRONMENTS } from './config/environments';
import { App } from './provider';
import { BootstrapStack } from './stacks/bootstrap-stack';
import { PlatformStack } from './stacks/platform-stack';

/**
 * The one entry point for infrastructure (`cdktf.json` runs this): the once-per-subscription
 * bootstrap, then one stack per environment.
 */
const app = new App();
new BootstrapStack(app, 'bootstrap');
for (const environment of Object.values(ENVIRONMENTS)) {
  new PlatformStack(app, `anime-${environment.name}`, {
    environment,
    firebaseProjectId: process.env.FIREBASE_PROJECT_ID || undefined,
  });
}
app.synth();
