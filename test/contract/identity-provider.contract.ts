import { randomUUID } from 'node:crypto';
import { EmailTakenError, type IdentityProvider } from '../../platform/core/ports/identity-provider';

export interface IdentityHarness {
  provider: IdentityProvider;
  /** How a client SDK would get an ID token; absent for providers that issue none. */
  clientIdToken?: (email: string, password: string) => Promise<string>;
}

const email = () => `user-${randomUUID().slice(0, 8)}@example.test`;
const PASSWORD = 'correct horse battery';

/** What every identity provider must do; run against each adapter. */
export function describeIdentityProviderContract(name: string, open: () => Promise<IdentityHarness>) {
  describe(`identity provider contract: ${name}`, () => {
    let h: IdentityHarness;
    beforeAll(async () => {
      h = await open();
    }, 90_000);
    afterAll(() => h?.provider.close());

    it('signs up and signs in with the same uid', async () => {
      const address = email();
      const created = await h.provider.signUp({ email: address, password: PASSWORD, displayName: 'Ann' });
      expect(created).toMatchObject({ uid: expect.any(String), email: address });
      expect(await h.provider.signIn(address, PASSWORD)).toMatchObject({ uid: created.uid, email: address });
    });

    it('refuses a second account for one email', async () => {
      const address = email();
      await h.provider.signUp({ email: address, password: PASSWORD });
      await expect(
        h.provider.signUp({ email: address, password: 'another password' }),
      ).rejects.toBeInstanceOf(EmailTakenError);
    });

    it('answers a wrong password and an unknown email the same way: null', async () => {
      const address = email();
      await h.provider.signUp({ email: address, password: PASSWORD });
      expect(await h.provider.signIn(address, `${PASSWORD}!`)).toBeNull();
      expect(await h.provider.signIn(email(), PASSWORD)).toBeNull();
    });

    it('forgets a deleted user, and deleting twice is harmless', async () => {
      const address = email();
      const { uid } = await h.provider.signUp({ email: address, password: PASSWORD });
      await h.provider.deleteUser(uid);
      await h.provider.deleteUser(uid);
      expect(await h.provider.signIn(address, PASSWORD)).toBeNull();
    });

    it('changes a password: the old one is refused from then on, the new one accepted', async () => {
      const address = email();
      const { uid } = await h.provider.signUp({ email: address, password: PASSWORD });
      await h.provider.changePassword(uid, 'a brand new passphrase');
      expect(await h.provider.signIn(address, PASSWORD)).toBeNull();
      expect(await h.provider.signIn(address, 'a brand new passphrase')).toMatchObject({ uid });
    });

    it('rejects ID tokens that are not its own', async () => {
      expect(await h.provider.verifyIdToken('not-a-token')).toBeNull();
      expect(await h.provider.verifyIdToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBeNull();
    });

    it('verifies a client ID token, and no longer once the user is deleted', async () => {
      if (!h.clientIdToken) {
        expect(await h.provider.verifyIdToken('anything')).toBeNull();
        return;
      }
      const address = email();
      const { uid } = await h.provider.signUp({ email: address, password: PASSWORD });
      const idToken = await h.clientIdToken(address, PASSWORD);
      expect(await h.provider.verifyIdToken(idToken)).toMatchObject({ uid, email: address });
      await h.provider.deleteUser(uid);
      expect(await h.provider.verifyIdToken(idToken)).toBeNull();
    });

    it('stops verifying ID tokens minted before a password change', async () => {
      if (!h.clientIdToken) return;
      const address = email();
      const { uid } = await h.provider.signUp({ email: address, password: PASSWORD });
      const idToken = await h.clientIdToken(address, PASSWORD);
      expect(await h.provider.verifyIdToken(idToken)).toMatchObject({ uid });
      // Revocation compares whole seconds: a token issued in the same second would still pass.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await h.provider.changePassword(uid, 'a brand new passphrase');
      expect(await h.provider.verifyIdToken(idToken)).toBeNull();
      expect(
        await h.provider.verifyIdToken(await h.clientIdToken(address, 'a brand new passphrase')),
      ).toMatchObject({ uid });
    });
  });
}
