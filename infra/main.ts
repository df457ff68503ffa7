import { ENVIRONMENTS } from './config/environments';
import { App } from './provider';
import { PlatformStack } from './stacks/platform-stack';

/** The one entry point for infrastructure: one stack per environment (`cdktf.json` runs this). */
const app = new App();
for (const environment of Object.values(ENVIRONMENTS)) {
  new PlatformStack(app, `anime-${environment.name}`, {
    environment,
    firebaseProjectId: process.env.FIREBASE_PROJECT_ID || undefined,
  });
}
app.synth();
