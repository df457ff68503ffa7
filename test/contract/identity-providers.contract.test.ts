import { FirebaseIdentityProvider } from '../../api/adapters/firebase/firebase-identity-provider';
import { LocalIdentityProvider } from '../../api/adapters/local/local-identity-provider';
import { openCatalogueStore } from '../../api/composition/catalogue-store';
import { FirebaseAuthEmulator, hasFirebaseEmulator } from '../support/firebase-emulator';
import { describeIf } from '../support/real-component';
import { describeIdentityProviderContract } from './identity-provider.contract';

describeIdentityProviderContract('local (scrypt in SQLite)', async () => {
  const store = openCatalogueStore({ DATABASE_PATH: ':memory:' });
  return { provider: new LocalIdentityProvider(store.credentials) };
});

describeIf(hasFirebaseEmulator())('firebase against the real Auth emulator', () => {
  let emulator: FirebaseAuthEmulator;
  beforeAll(async () => {
    emulator = await FirebaseAuthEmulator.start();
    process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.host;
  }, 90_000);
  afterAll(async () => {
    delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
    await emulator?.stop();
  }, 30_000);

  describeIdentityProviderContract('firebase', async () => ({
    provider: new FirebaseIdentityProvider({
      projectId: emulator.projectId,
      apiKey: 'emulator-api-key',
      allowEmulator: true,
    }),
    clientIdToken: async (email, password) => {
      const res = await fetch(
        `http://${emulator.host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=k`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password, returnSecureToken: true }),
        },
      );
      return ((await res.json()) as { idToken: string }).idToken;
    },
  }));

  it('refuses to run against the emulator unless explicitly allowed (its tokens are unsigned)', () => {
    expect(
      () =>
        new FirebaseIdentityProvider({ projectId: emulator.projectId, apiKey: 'k', allowEmulator: false }),
    ).toThrow(/FIREBASE_AUTH_EMULATOR_HOST/);
  });
});
