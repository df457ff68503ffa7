import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { runTs } from '../support/cli';

describe('npm run admin:grant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anime-grant-'));
  const env = { DATABASE_PATH: join(dir, 'anime.db'), SEED_ON_EMPTY: 'false', LOG_LEVEL: 'silent' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes an existing account admin, case-insensitively, and refuses unknown emails', async () => {
    const store = openSqliteCatalogueStore(env);
    await store.users.create({ uid: 'u1', email: 'ops@example.test', displayName: null, role: 'user' });
    await store.close();

    const granted = runTs('cli/admin-grant.ts', ['OPS@example.test'], { ...env, JWT_SECRET: undefined });
    expect(granted.stderr).toBe('');
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('ops@example.test is now admin');
    // It signs no token, so an unset JWT_SECRET is none of its business.
    expect(`${granted.stdout}${granted.stderr}`).not.toContain('JWT_SECRET');
    const after = openSqliteCatalogueStore(env);
    expect((await after.users.findByUid('u1'))?.role).toBe('admin');
    await after.close();

    const unknown = runTs('cli/admin-grant.ts', ['nobody@example.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no account for nobody@example.test');
    expect(runTs('cli/admin-grant.ts', [], env).code).toBe(2);
  });
});
