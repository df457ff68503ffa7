import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { FirebaseIdentityProvider } from '../../platform/adapters/firebase/firebase-identity-provider';
import { LocalIdentityProvider } from '../../platform/adapters/local/local-identity-provider';
import { hasFirebaseEmulator, useFirebaseEmulator } from '../support/firebase-emulator';
import { describeIf } from '../support/real-component';
import { describeIdentityProviderContract } from './identity-provider.contract';

describeIdentityProviderContract('local (scrypt in SQLite)', async () => {
  const store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
  return { provider: new LocalIdentityProvider(store.credentials) };
});

describeIf(hasFirebaseEmulator())('firebase against the real Auth emulator', () => {
  const emulator = useFirebaseEmulator();

  describeIdentityProviderContract('firebase', async () => ({
    provider: new FirebaseIdentityProvider({
      projectId: emulator().projectId,
      apiKey: 'emulator-api-key',
      allowEmulator: true,
    }),
    clientIdToken: (email, password) => emulator().clientIdToken(email, password),
  }));

  it('refuses to run against the emulator unless explicitly allowed (its tokens are unsigned)', () => {
    expect(
      () =>
        new FirebaseIdentityProvider({ projectId: emulator().projectId, apiKey: 'k', allowEmulator: false }),
    ).toThrow(/FIREBASE_AUTH_EMULATOR_HOST/);
  });
});
