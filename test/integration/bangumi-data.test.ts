import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { resolveProfile } from '../../catalogue/profiles';
import type { CatalogueStore } from '../../composition/catalogue-store';
import { loadCsv } from '../../etl/load-csv';
import { bangumiRows, writeBangumi } from '../support/bangumi';
import { withAppOverStore, withStore } from '../support/test-app';

// Real data nobody here wrote, through a user mapping file (see ../support/bangumi).
const dir = mkdtempSync(join(tmpdir(), 'bangumi-'));
const rows = bangumiRows();
const { csvFile, mappingFile } = writeBangumi(dir, rows);

describe('bangumi-data through a user mapping', () => {
  const database = join(dir, 'bangumi.db');
  const rejectsFile = join(dir, 'rejects.csv');
  const load = (store: CatalogueStore, rejects?: string) =>
    loadCsv({
      input: csvFile,
      profile: resolveProfile(mappingFile),
      loader: store.loader,
      mode: 'upsert',
      rejectsFile: rejects,
    });

  it('loads every row it can, counts the repeats, and a second run changes nothing', async () => {
    await withStore(database, async (store) => {
      const first = await load(store, rejectsFile);
      const ids = rows.map((r) => r[0]!);
      const withoutId = ids.filter((id) => !id).length;
      expect(first.read).toBe(rows.length);
      expect(first.valid + first.rejected).toBe(rows.length);
      expect(first.rejected).toBeGreaterThanOrEqual(withoutId);
      // Every lower-case type was recognised: no row is rejected for its type.
      const rejects = parse(readFileSync(rejectsFile, 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rejects.filter((r) => r.reason!.includes('type "'))).toEqual([]);
      const stored = (await store.repository.stats()).total;
      expect(first.duplicates).toBeGreaterThan(0);
      expect(stored).toBe(first.valid - first.duplicates);
      expect(first.inserted).toBe(stored);
      expect(rejects.filter((r) => r.reason!.startsWith('superseded by row'))).toHaveLength(first.duplicates);
      const version = await store.repository.dataVersion();
      const second = await load(store);
      expect(second).toMatchObject({
        inserted: 0,
        updated: 0,
        unchanged: stored,
        duplicates: first.duplicates,
      });
      expect(await store.repository.dataVersion()).toBe(version);
    });
  }, 120_000);

  it('serves the CJK titles back byte-identical (trimmed, as every write path trims)', async () => {
    await withAppOverStore(database, async (ctx) => {
      const res = await request(ctx.server).get('/animes/all').expect(200);
      const served = new Map<string, string>(
        (res.body as { sourceId: string; title: string }[]).map((a) => [a.sourceId, a.title]),
      );
      // The later row of a repeated id is the one stored.
      const expected = new Map<string, string>();
      for (const [id, title] of rows) if (id && served.has(id)) expected.set(id, title!.trim());
      expect(expected.size).toBe(served.size);
      let identical = 0;
      for (const [id, title] of expected) {
        expect([id, served.get(id)]).toEqual([id, title]);
        if (Buffer.from(title).equals(Buffer.from(served.get(id)!))) identical++;
      }
      expect(identical).toBe(served.size);
      expect([...served.values()].some((t) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(t))).toBe(true);
    });
  }, 60_000);
});
