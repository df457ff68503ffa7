import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import request from 'supertest';
import { ANIME_TYPES } from '../../catalogue/definition';
import { normalizeRecord } from '../../catalogue/normalize';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { KAGGLE_HEADER } from '../../etl/dataset-generator';
import { loadCsv } from '../../etl/load-csv';
import { animeRecord } from '../support/fixtures';
import { listAll } from '../support/list-all';
import { createTestApp, signedUpAdmin } from '../support/test-app';

/**
 * One normalizer for both write paths (issue 17, item 6): for random records with untidy text,
 * scores finer than the stored scale and genres repeated in other cases, an API create and an ETL
 * load of the same values store identical rows; and a record one path refuses, the other refuses.
 */
const dir = mkdtempSync(join(tmpdir(), 'normalizer-'));
const ALL = { field: 'id', descending: false } as const;

const padding = fc.constantFrom('', ' ', '  ', '\u00a0');
const untidy = (core: fc.Arbitrary<string>) =>
  fc.tuple(padding, core, padding).map(([before, text, after]) => `${before}${text}${after}`);
const word = fc.stringMatching(/^[A-Za-z][A-Za-z -]{0,14}[A-Za-z]$/);
const title = untidy(
  fc.oneof(
    word,
    fc.constantFrom(
      '魔法少女まどか☆マギカ',
      'Fate/stay night',
      "Girls' Last Tour",
      'Re:Zero, again',
      'Ω "quoted"',
    ),
  ),
);
const genre = untidy(
  fc.constantFrom('Action', 'action', 'ACTION', 'Drama', 'drama', 'Sci-Fi', 'Slice of Life'),
);
const record = fc.record({
  title,
  type: fc.constantFrom(...ANIME_TYPES),
  year: fc.option(fc.integer({ min: 1960, max: 2030 }), { nil: null }),
  score: fc.option(
    fc.integer({ min: 0, max: 10_000 }).map((n) => n / 1000),
    { nil: null },
  ),
  episodes: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: null }),
  genres: fc.array(genre, { maxLength: 6 }),
});

const pythonList = (items: readonly string[]) => `[${items.map((g) => `'${g}'`).join(', ')}]`;

type Draft = {
  sourceId: string;
  title: string;
  type: string;
  year: number | null;
  score: number | null;
  episodes: number | null;
  genres: string[];
};

function csvOf(records: readonly Draft[]): string {
  const file = join(dir, `batch-${Math.random().toString(36).slice(2)}.csv`);
  const rows = records.map((r) => [
    r.sourceId,
    r.title,
    '',
    r.type,
    r.year === null ? 'UNKNOWN' : String(r.year),
    r.score === null ? 'UNKNOWN' : String(r.score),
    r.episodes === null ? 'UNKNOWN' : String(r.episodes),
    '',
    '',
    '',
    pythonList(r.genres),
    '[]',
  ]);
  writeFileSync(file, stringify([[...KAGGLE_HEADER], ...rows]));
  return file;
}

const stored = (a: {
  sourceId: string;
  title: string;
  type: string;
  year: number | null;
  score: number | null;
  episodes: number | null;
  genres: string[];
}) => ({
  sourceId: a.sourceId,
  title: a.title,
  type: a.type,
  year: a.year,
  score: a.score,
  episodes: a.episodes,
  genres: a.genres,
});

describe('an API create and an ETL load store identical rows', () => {
  it('for random untidy records', async () => {
    let batch = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 12 }), async (drafts) => {
        batch++;
        // An API create names the source the ETL's profile declares, so both land in one namespace.
        // Every column kaggle-animes does not map (originalTitle) loads as null, so the create sends null too.
        const records = drafts.map((r, i) =>
          animeRecord({ ...r, source: kaggleAnimes.source, sourceId: `b${batch}-${i}` }),
        );
        const ctx = await createTestApp({ records: [] });
        const etlStore = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
        try {
          const auth = await signedUpAdmin(ctx.server);
          for (const r of records) await request(ctx.server).post('/animes').set(auth).send(r).expect(201);
          const summary = await loadCsv({
            input: csvOf(records),
            profile: kaggleAnimes,
            loader: etlStore.loader,
            mode: 'upsert',
          });
          expect(summary).toMatchObject({ valid: records.length, rejected: 0 });
          const viaApi = (await listAll(ctx.store.repository, {}, ALL)).map(stored);
          const viaEtl = (await listAll(etlStore.repository, {}, ALL)).map(stored);
          expect(viaApi).toEqual(viaEtl);
          // ...and they are the normalizer's output.
          expect(viaApi).toEqual(records.map((r) => stored(normalizeRecord(r).record)));
        } finally {
          await ctx.platform.close();
          await ctx.store.close();
          await etlStore.close();
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('a blank title, or a tab at its edge, is refused by both: 400 problem+json from the API, a rejected row from the ETL', async () => {
    const ctx = await createTestApp({ records: [] });
    const etlStore = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
    try {
      const auth = await signedUpAdmin(ctx.server);
      const blank = {
        sourceId: 'blank',
        title: '   ',
        type: 'TV',
        year: null,
        score: null,
        episodes: null,
        genres: [],
      };
      const res = await request(ctx.server).post('/animes').set(auth).send(blank).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body['invalid-params']).toEqual([{ name: 'body.title', reason: 'must not be blank' }]);
      const summary = await loadCsv({
        input: csvOf([{ ...blank, type: 'TV' }]),
        profile: kaggleAnimes,
        loader: etlStore.loader,
        mode: 'upsert',
      });
      expect(summary).toMatchObject({ valid: 0, rejected: 1 });
    } finally {
      await ctx.platform.close();
      await ctx.store.close();
      await etlStore.close();
    }
  });
});
