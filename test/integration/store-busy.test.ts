import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { fixtureRecords, loadRecords } from '../support/fixtures';
import { createTestApp, signedUpAdmin } from '../support/test-app';

const PASSWORD = 'long enough password';

describe('API writes while a bulk load holds the SQLite write lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-busy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 with Retry-After, keeps serving reads, and writes once the load commits', async () => {
    const database = join(dir, 'anime.db');
    const etl = openSqliteCatalogueStore({ DATABASE_PATH: database });
    await loadRecords(etl.loader, fixtureRecords(20));
    const api = openSqliteCatalogueStore({ DATABASE_PATH: database, SQLITE_BUSY_TIMEOUT_MS: 100 });
    const { server } = await createTestApp({ store: api });
    const auth = await signedUpAdmin(server);
    const body = { ...fixtureRecords(1)[0]!, sourceId: 'written-during-load' };

    const load = await etl.loader.begin('upsert', { source: 'kaggle' });
    await load.stage(fixtureRecords(40, 99, true).map((r) => ({ ...r, sourceId: `load-${r.sourceId}` })));
    const blocked = await request(server).post('/animes').set(auth).send(body);
    expect(blocked.status).toBe(503);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(blocked.headers['retry-after']).toBe('2');
    expect(blocked.body.detail).toMatch(/busy/);
    // Readers are not blocked, and see the catalogue as it was before the load.
    const reads = await request(server).get('/animes?limit=1000').expect(200);
    expect(reads.body.items).toHaveLength(20);
    const signup = await request(server)
      .post('/auth/signup')
      .send({ email: 'late@example.test', password: PASSWORD });
    expect(signup.status).toBe(503);

    await load.commit();
    await request(server).post('/animes').set(auth).send(body).expect(201);
    expect((await request(server).get('/animes?limit=1000').expect(200)).body.items).toHaveLength(61);
    await api.close();
    await etl.close();
  });
});
