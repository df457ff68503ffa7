import { randomBytes } from 'node:crypto';
import { estimatedEntropyBits, loadConfig } from '../../platform/config';

describe('security: the signing secret must be a real secret', () => {
  it('accepts a generated secret (the negative control), base64 or hex', () => {
    for (const secret of [randomBytes(32).toString('base64'), randomBytes(32).toString('hex')]) {
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
    }
  });

  it.each([
    ['32 × a', 'a'.repeat(32)],
    ['a short pattern repeated', 'abab'.repeat(10)],
    ['a word repeated', 'password'.repeat(5)],
  ])('refuses a long but predictable one (%s), naming the variable', (_name, secret) => {
    expect(() => loadConfig({ JWT_SECRET: secret })).toThrow(/JWT_SECRET looks too predictable/);
  });

  it('refuses an unresolved Key Vault reference, which is long and varied enough to pass the rest', () => {
    const reference =
      '@Microsoft.KeyVault(SecretUri=https://kv-anime-prod.vault.azure.net/secrets/jwt-secret)';
    expect(estimatedEntropyBits(reference)).toBeGreaterThan(128);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: reference })).toThrow(
      /JWT_SECRET is an unresolved Key Vault reference/,
    );
  });
});
