import fc from 'fast-check';
import { ANIME_COLUMNS } from '../../catalogue/definition';
import { ANIME_TYPES, type Anime, type AnimeInput } from '../../platform/core/domain/anime';
import { FILTERS, type FilterDefinition } from '../../platform/core/domain/filters';
import { type AnimeFilter, type AnimeSort, SORT_FIELDS } from '../../platform/core/domain/query';
import {
  type AnimeRepository,
  ConflictError,
  PreconditionFailedError,
} from '../../platform/core/ports/anime-repository';
import type { CatalogueLoader } from '../../platform/core/ports/catalogue-loader';
import type { InvalidationOutbox } from '../../platform/core/ports/invalidation-outbox';
import type { UserRepository } from '../../platform/core/ports/user-repository';
import { FIXTURE_GENRES, fixtureRecords, loadRecords, SECOND_SOURCE } from '../support/fixtures';
import { listAll } from '../support/list-all';
import { expectedList, matchesFilter } from './catalogue-oracle';

export interface StoreUnderTest {
  repository: AnimeRepository;
  loader: CatalogueLoader;
  outbox: InvalidationOutbox;
  users: UserRepository;
  dispose(): Promise<void>;
}

/** Values chosen to hit the fixture's awkward cases, per filter; a filter not listed draws from the fixture. */
const chosenFilters: Record<string, fc.Arbitrary<unknown>> = {
  type: fc.uniqueArray(fc.constantFrom(...ANIME_TYPES), { minLength: 1, maxLength: 3 }),
  genre: fc.uniqueArray(fc.constantFrom(...FIXTURE_GENRES, 'drama', 'Nonexistent'), {
    minLength: 1,
    maxLength: 2,
  }),
  year: fc.integer({ min: 1989, max: 2002 }),
  yearFrom: fc.integer({ min: 1989, max: 2002 }),
  yearTo: fc.integer({ min: 1989, max: 2002 }),
  minScore: fc.constantFrom(0, 2.5, 5, 7.25, 9),
  maxScore: fc.constantFrom(3, 5, 7.25, 10),
  q: fc.constantFrom('a', 'ECHO', '100%', '_', '%', '[', "o'b", '魔法', 'zz', ' 1'),
  source: fc.uniqueArray(fc.constantFrom('kaggle', SECOND_SOURCE, 'api', 'bangumi'), {
    minLength: 1,
    maxLength: 2,
  }),
};

/**
 * A filter added to FILTERS without a hand-chosen arbitrary still gets one: values its field takes
 * in the fixture (one to three of them for a list filter), so the oracle holds it too.
 */
function drawnFromFixture(filter: FilterDefinition): fc.Arbitrary<unknown> {
  const values = [
    ...new Set(
      fixtureRecords().flatMap((r) => [r[filter.field as keyof AnimeInput]].flat().filter((v) => v !== null)),
    ),
  ];
  if (values.length === 0)
    throw new Error(`the fixture has no values of ${filter.field} to filter ${filter.param} by`);
  const one = fc.constantFrom(...values);
  return filter.kind === 'in' || filter.kind === 'allOf'
    ? fc.uniqueArray(one, { minLength: 1, maxLength: 3 })
    : one;
}

const allFilters = fc.record(
  Object.fromEntries(
    FILTERS.map((f: FilterDefinition) => [f.param, chosenFilters[f.param] ?? drawnFromFixture(f)]),
  ),
);
// At most two filters at a time: more would nearly always select nothing and prove little.
const filterArbitrary: fc.Arbitrary<AnimeFilter> = fc
  .tuple(
    allFilters,
    fc.subarray(
      FILTERS.map((f) => f.param),
      {
        maxLength: 2,
      },
    ),
  )
  .map(([filter, keys]) => Object.fromEntries(keys.map((k) => [k, filter[k]])) as AnimeFilter);
/** One to three distinct keys (id, which leaves no ties, only last): `-year,title` and the like. */
const sortArbitrary: fc.Arbitrary<AnimeSort> = fc
  .uniqueArray(fc.record({ field: fc.constantFrom(...SORT_FIELDS), descending: fc.boolean() }), {
    minLength: 1,
    maxLength: 3,
    selector: (key) => key.field,
  })
  .map((keys) => {
    const untilId = keys.findIndex((k) => k.field === 'id');
    const [first, ...then] = untilId < 0 ? keys : keys.slice(0, untilId + 1);
    return then.length ? { ...first!, thenBy: then } : first!;
  });

/** Every field of the definition: an adapter that drops or garbles a new column fails here. */
const fieldsOf = (record: AnimeInput) =>
  Object.fromEntries(ANIME_COLUMNS.map(({ field }) => [field, record[field]])) as unknown as AnimeInput;

/**
 * The behaviour every AnimeRepository + CatalogueLoader adapter must have, checked against an
 * independent in-memory oracle. Run it with a factory that gives a fresh, empty store.
 */
export function describeCatalogueStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`catalogue store contract: ${name}`, () => {
    let store: StoreUnderTest;
    let all: Anime[];
    const records = fixtureRecords();

    beforeAll(async () => {
      store = await open();
      const kaggle = records.filter((r) => r.source === 'kaggle');
      const load = await store.loader.begin('upsert', { source: 'kaggle' });
      await load.stage(kaggle.slice(0, 80));
      await load.stage(kaggle.slice(80));
      const result = await load.commit();
      expect(result).toMatchObject({ inserted: kaggle.length, updated: 0, unchanged: 0, deleted: 0 });
      // The second source's ids are all kaggle ids too: they are new rows, and touch none of kaggle's.
      const [second] = await loadRecords(
        store.loader,
        records.filter((r) => r.source === SECOND_SOURCE),
      );
      expect(second).toMatchObject({ inserted: records.length - kaggle.length, updated: 0, deleted: 0 });
      all = await listAll(store.repository, {}, { field: 'id', descending: false });
    });
    afterAll(() => store?.dispose());

    it('stores every loaded record field for field', () => {
      const loadOrder = ['kaggle', SECOND_SOURCE].flatMap((source) =>
        records.filter((r) => r.source === source),
      );
      expect(all.map(fieldsOf)).toEqual(loadOrder.map(fieldsOf));
      expect(new Set(all.map((a) => a.id)).size).toBe(records.length);
    });

    it('lists exactly the rows the oracle selects, in its order, for any filter and sort', async () => {
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(filterArbitrary, sortArbitrary, async (filter, sort) => {
          const actual = await listAll(store.repository, filter, sort);
          expect(actual.map((a) => a.id)).toEqual(expectedList(all, filter, sort).map((a) => a.id));
          if (actual.length > 1) nonEmpty++;
        }),
        { numRuns: 200 },
      );
      expect(nonEmpty).toBeGreaterThan(100);
    });

    it('walks keyset pages with no duplicates and no gaps', async () => {
      await fc.assert(
        fc.asyncProperty(
          filterArbitrary,
          sortArbitrary,
          fc.integer({ min: 1, max: 40 }),
          async (filter, sort, limit) => {
            const seen: number[] = [];
            let after: Awaited<ReturnType<AnimeRepository['list']>>['next'];
            const expected = expectedList(all, filter, sort).map((a) => a.id);
            for (let pages = 0; pages < 300; pages++) {
              // The count, when asked, is of every match, on whichever page it is asked.
              const count = pages % 2 === 0;
              const page = await store.repository.list(filter, sort, { limit, after, count });
              expect(page.total).toBe(count ? expected.length : undefined);
              expect(page.items.length).toBeLessThanOrEqual(limit);
              seen.push(...page.items.map((a) => a.id));
              if (!page.next) break;
              expect(page.items.length).toBe(limit);
              after = page.next;
            }
            expect(seen).toEqual(expected);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('counts genres, types and stats over the rows a filter matches, as the oracle does', async () => {
      const filters: AnimeFilter[] = [
        { type: ['OVA'] },
        { type: ['TV', 'MOVIE'], minScore: 6 },
        { genre: [all.find((a) => a.genres.length)!.genres[0]!.toLowerCase()] },
        { yearFrom: 2000, yearTo: 2010, maxScore: 8 },
        { q: all[3]!.title.slice(1, 5) },
      ];
      for (const filter of filters) {
        const rows = all.filter((a) => matchesFilter(a, filter));
        expect(rows.length).toBeGreaterThan(0);
        const genreCounts = new Map<string, number>();
        for (const a of rows) for (const g of a.genres) genreCounts.set(g, (genreCounts.get(g) ?? 0) + 1);
        const genres = await store.repository.genres(filter);
        expect([filter, Object.fromEntries(genres.map((g) => [g.value, g.count]))]).toEqual([
          filter,
          Object.fromEntries(genreCounts),
        ]);
        const types = await store.repository.types(filter);
        expect(types.reduce((n, t) => n + t.count, 0)).toBe(rows.length);
        for (const t of types) expect(t.count).toBe(rows.filter((a) => a.type === t.value).length);
        const stats = await store.repository.stats(filter);
        expect([filter, stats.total]).toEqual([filter, rows.length]);
        expect(stats.byYear.reduce((n, y) => n + y.count, 0)).toBe(rows.length);
        const scores = rows.map((a) => a.score).filter((x): x is number => x !== null);
        if (scores.length)
          expect(stats.averageScore).toBeCloseTo(scores.reduce((n, x) => n + x, 0) / scores.length, 2);
      }
    });

    it('streams every match in order in chunks of at most chunkRows, and ends early when asked', async () => {
      const sort = {
        field: 'year',
        descending: true,
        thenBy: [{ field: 'title', descending: false }],
      } as AnimeSort;
      const expected = await listAll(store.repository, {}, sort);
      const chunks: (readonly Anime[])[] = [];
      for await (const chunk of store.repository.streamAll({}, sort, 37)) chunks.push(chunk);
      expect(chunks.every((c) => c.length > 0 && c.length <= 37)).toBe(true);
      expect(chunks.flat().map((a) => a.id)).toEqual(expected.map((a) => a.id));
      // A consumer that stops after one chunk (a client that hung up) releases the read.
      for (let i = 0; i < 5; i++) for await (const _chunk of store.repository.streamAll({}, sort, 10)) break;
      let rows = 0;
      for await (const chunk of store.repository.streamAll({ type: ['TV'] }, sort, 1000))
        rows += chunk.length;
      expect(rows).toBe(expected.filter((a) => a.type === 'TV').length);
    });

    it('streams the same records already as JSON: the bytes JSON.stringify writes, all fields or chosen ones', async () => {
      const sort = { field: 'score', descending: true } as AnimeSort;
      // Text that must be escaped: quotes, a backslash, a line separator, CJK, an emoji, in text and in a list.
      const { after: tricky } = await store.repository.create({
        ...records[3]!,
        sourceId: 'json-escapes',
        title: 'He said "hi" \\ then 進撃の巨人 \u2028 ünï 😀',
        genres: ['Sci-Fi "quoted"', 'back\\slash'],
      });
      const listed = await listAll(store.repository, {}, sort);
      const asJson = async (fields?: readonly string[]) => {
        const chunks: Buffer[] = [];
        for await (const chunk of store.repository.streamAllJson({}, sort, 37, fields)) chunks.push(chunk);
        // Each chunk is `,{...},...`: a list of them is one array once the first comma is a bracket.
        expect(chunks.every((c) => c[0] === 0x2c)).toBe(true);
        return `[${Buffer.concat(chunks).subarray(1).toString()}]`;
      };
      const whole = await asJson();
      expect(whole).toBe(JSON.stringify(listed));
      expect((JSON.parse(whole) as Anime[]).find((a) => a.id === tricky!.id)).toEqual(tricky);
      const fields = ['title', 'id', 'genres', 'score', 'updatedAt'];
      const chosen = listed.map((r) => Object.fromEntries(fields.map((f) => [f, (r as never)[f]])));
      expect(await asJson(fields)).toBe(JSON.stringify(chosen));
      await store.repository.remove(tricky!.id);
    });

    it('gets one row by id, and null for an unknown id', async () => {
      const sample = all[17]!;
      expect(await store.repository.getById(sample.id)).toEqual(sample);
      expect(await store.repository.getById(999_999)).toBeNull();
    });

    it('counts genres, types and stats as the rows say', async () => {
      const genreCounts = new Map<string, number>();
      for (const a of all) for (const g of a.genres) genreCounts.set(g, (genreCounts.get(g) ?? 0) + 1);
      const genres = await store.repository.genres();
      expect(Object.fromEntries(genres.map((g) => [g.value, g.count]))).toEqual(
        Object.fromEntries(genreCounts),
      );
      expect(genres.map((g) => g.count)).toEqual([...genres.map((g) => g.count)].sort((a, b) => b - a));
      const types = await store.repository.types();
      for (const t of types) expect(t.count).toBe(all.filter((a) => a.type === t.value).length);
      const stats = await store.repository.stats();
      const scores = all.map((a) => a.score).filter((s): s is number => s !== null);
      expect(stats.total).toBe(all.length);
      expect(stats.averageScore).toBeCloseTo(scores.reduce((s, x) => s + x, 0) / scores.length, 2);
      expect(stats.byYear.reduce((s, y) => s + y.count, 0)).toBe(all.length);
      expect(stats.byYear.find((y) => y.year === null)?.count).toBe(
        all.filter((a) => a.year === null).length,
      );
    });

    it('treats SQL and LIKE metacharacters in data and queries as plain text', async () => {
      const hostile = ["'; DROP TABLE animes;--", '%_[', 'Robert"); DELETE FROM genres;--'];
      const created = [];
      for (const [i, title] of hostile.entries()) {
        created.push(
          (
            await store.repository.create({
              ...records[0]!,
              sourceId: `inj-${i}`,
              title,
              genres: [title.slice(0, 20)],
            })
          ).after!,
        );
      }
      for (const anime of created)
        expect((await store.repository.getById(anime.id))?.title).toBe(anime.title);
      const found = await listAll(store.repository, { q: '%_[' }, { field: 'id', descending: false });
      expect(found.map((a) => a.title)).toEqual(['%_[']);
      expect(
        await listAll(store.repository, { q: "'; DROP" }, { field: 'id', descending: false }),
      ).toHaveLength(1);
      expect(
        await listAll(store.repository, { genre: ['%_['] }, { field: 'id', descending: false }),
      ).toHaveLength(1);
      expect((await store.repository.stats()).total).toBe(all.length + hostile.length);
      for (const anime of created) await store.repository.remove(anime.id);
      expect((await store.repository.stats()).total).toBe(all.length);
    });

    it('searches titles as LIKE does (any substring, any ASCII case, CJK), after loads and writes', async () => {
      const ID_ORDER = { field: 'id', descending: false } as const;
      const swapCase = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
      const searchesAsOracle = async (rows: Anime[], numRuns: number) => {
        let found = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...rows.map((r) => [...r.title])),
            fc.nat(),
            fc.integer({ min: 1, max: 8 }),
            fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
            async (chars, start, length, flips) => {
              const from = start % chars.length;
              const q = chars
                .slice(from, from + length)
                .map((c, i) => (flips[i] ? swapCase(c) : c))
                .join('');
              const actual = (await listAll(store.repository, { q }, ID_ORDER)).map((a) => a.id);
              expect([q, actual]).toEqual([q, expectedList(rows, { q }, ID_ORDER).map((a) => a.id)]);
              if (actual.length) found++;
            },
          ),
          { numRuns },
        );
        // Most substrings of stored titles are found (a flipped non-ASCII letter is not, as with LIKE).
        expect(found).toBeGreaterThan(numRuns / 2);
      };
      await searchesAsOracle(all, 300);

      const repo = store.repository;
      const { after } = await repo.create({
        ...records[2]!,
        sourceId: 'search-1',
        title: '進撃の巨人 Ünïcode Straße',
      });
      expect((await listAll(repo, { q: 'の巨人 Ünï' }, ID_ORDER)).map((a) => a.id)).toEqual([after!.id]);
      expect(await listAll(repo, { q: 'の巨人 üNÏ' }, ID_ORDER)).toEqual([]); // LIKE folds ASCII only
      await repo.update(after!.id, { ...records[2]!, sourceId: 'search-1', title: 'Renamed Zeta' });
      expect(await listAll(repo, { q: '巨人' }, ID_ORDER)).toEqual([]);
      expect((await listAll(repo, { q: 'ZETA' }, ID_ORDER)).map((a) => a.id)).toEqual([after!.id]);
      await searchesAsOracle(await listAll(repo, {}, ID_ORDER), 100);
      await repo.remove(after!.id);
      expect(await listAll(repo, { q: 'named zet' }, ID_ORDER)).toEqual([]);
    });

    it('searches original titles with q too, as the oracle does, and follows writes to them', async () => {
      const ID_ORDER = { field: 'id', descending: false } as const;
      const originals = all.filter((a) => a.originalTitle);
      expect(originals.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...originals),
          fc.nat(),
          fc.integer({ min: 1, max: 6 }),
          async (row, start, length) => {
            const chars = [...row.originalTitle!];
            const q = chars.slice(start % chars.length, (start % chars.length) + length).join('');
            const actual = (await listAll(store.repository, { q }, ID_ORDER)).map((a) => a.id);
            expect(actual).toContain(row.id);
            expect([q, actual]).toEqual([q, expectedList(all, { q }, ID_ORDER).map((a) => a.id)]);
          },
        ),
        { numRuns: 60 },
      );

      const repo = store.repository;
      const { after } = await repo.create({
        ...records[4]!,
        sourceId: 'original-title-1',
        title: 'Plain English Name',
        originalTitle: '鋼の錬金術師 Ωmega',
      });
      const ids = async (q: string) => (await listAll(repo, { q }, ID_ORDER)).map((a) => a.id);
      expect(await ids('錬金術')).toEqual([after!.id]);
      expect(await ids('ωMEGA')).toEqual([]); // LIKE folds ASCII only, in either column
      await repo.update(after!.id, {
        ...records[4]!,
        sourceId: 'original-title-1',
        title: 'Plain English Name',
        originalTitle: 'Quokka Kuro',
      });
      expect(await ids('錬金術')).toEqual([]);
      expect(await ids('okka ku')).toEqual([after!.id]);
      await repo.update(after!.id, {
        ...records[4]!,
        sourceId: 'original-title-1',
        title: 'Plain English Name',
        originalTitle: null,
      });
      expect(await ids('Quokka')).toEqual([]);
      expect(await ids('English Na')).toEqual([after!.id]);
      await repo.remove(after!.id);
    });

    it('creates, updates and removes rows, moving the data version on each write', async () => {
      const repo = store.repository;
      const v0 = await repo.dataVersion();
      const input: AnimeInput = { ...records[3]!, sourceId: 'contract-new', genres: ['Brand New', 'Action'] };
      const { before, after } = await repo.create(input);
      expect(before).toBeNull();
      expect(after).toMatchObject({ ...input, version: 1 });
      const v1 = await repo.dataVersion();
      expect(v1).toBeGreaterThan(v0);
      expect((await repo.genres()).find((g) => g.value === 'Brand New')?.count).toBe(1);
      await expect(repo.create(input)).rejects.toBeInstanceOf(ConflictError);
      // The same id in another source is another row: the key is (source, sourceId).
      const twin = await repo.create({ ...input, source: 'bangumi' });
      expect(twin.after).toMatchObject({ source: 'bangumi', sourceId: 'contract-new', version: 1 });
      await repo.remove(twin.after!.id);

      const changed = { ...input, type: 'MOVIE' as const, genres: ['Drama'] };
      await expect(repo.update(after!.id, changed, 42)).rejects.toBeInstanceOf(PreconditionFailedError);
      const updated = await repo.update(after!.id, changed, 1);
      expect(updated.before).toEqual(after);
      expect(updated.after).toMatchObject({ ...changed, version: 2 });
      expect(await repo.dataVersion()).toBeGreaterThan(v1);
      expect(await listAll(repo, { genre: ['Brand New'] }, { field: 'id', descending: false })).toHaveLength(
        0,
      );
      await expect(
        repo.update(after!.id, { ...changed, sourceId: records[0]!.sourceId }),
      ).rejects.toBeInstanceOf(ConflictError);

      const v2 = await repo.dataVersion();
      await expect(repo.remove(after!.id, 1)).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await repo.remove(after!.id, 2)).before).toMatchObject(changed);
      expect(await repo.getById(after!.id)).toBeNull();
      expect(await repo.dataVersion()).toBeGreaterThan(v2);
      expect(await repo.update(after!.id, changed)).toEqual({ before: null, after: null });
      expect(await repo.remove(after!.id)).toEqual({ before: null, after: null });
    });

    it('applies every one of parallel unconditional read-modify-writes, with the versions strictly increasing', async () => {
      const repo = store.repository;
      const { after: row } = await repo.create({
        ...records[5]!,
        sourceId: 'contract-parallel',
        episodes: 0,
      });
      const writers = 10;
      const increment = ({ id: _i, version: _v, createdAt: _c, updatedAt: _u, ...current }: Anime) => ({
        ...current,
        episodes: (current.episodes ?? 0) + 1,
      });
      const results = await Promise.all(
        Array.from({ length: writers }, () => repo.update(row!.id, increment)),
      );
      // Every write saw the one before it: none lost, none refused for a precondition nobody asked for.
      expect((await repo.getById(row!.id))!.episodes).toBe(writers);
      const versions = results.map((r) => r.after!.version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: writers }, (_, i) => row!.version + i + 1));
      for (const r of results) expect(r.after!.episodes).toBe(r.after!.version - row!.version);

      // Negative control: the same merge read outside the write (as PATCH did) loses the race.
      const stale = await Promise.allSettled(
        Array.from({ length: writers }, async () => {
          const current = (await repo.getById(row!.id))!;
          return repo.update(row!.id, increment(current), current.version);
        }),
      );
      expect(stale.some((r) => r.status === 'rejected' && r.reason instanceof PreconditionFailedError)).toBe(
        true,
      );
      await repo.remove(row!.id);
    });

    it("records a write's invalidation in its own transaction, and nothing for a write that fails", async () => {
      const repo = store.repository;
      const outbox = store.outbox;
      await outbox.remove((await outbox.pending(1000)).map((entry) => entry.id));
      const tagsOf = (result: { before: Anime | null; after: Anime | null }) => [
        `id:${(result.after ?? result.before)!.id}`,
        `type:${(result.after ?? result.before)!.type}`,
      ];
      const input: AnimeInput = { ...records[5]!, sourceId: 'contract-outbox', genres: [] };
      const created = await repo.create(input, tagsOf);
      const id = created.after!.id;
      expect(created.outboxId).toBeGreaterThan(0);
      const updated = await repo.update(id, { ...input, type: 'OVA' }, 1, tagsOf);
      await expect(repo.update(id, input, 1, tagsOf)).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(repo.create({ ...input, title: 'duplicate source id' }, tagsOf)).rejects.toBeInstanceOf(
        ConflictError,
      );
      const removed = await repo.remove(id, 2, tagsOf);
      expect(await repo.update(id, input, undefined, tagsOf)).toEqual({ before: null, after: null });
      expect(await outbox.pending(1000)).toEqual([
        { id: created.outboxId, tags: [`id:${id}`, `type:${input.type}`] },
        { id: updated.outboxId, tags: [`id:${id}`, 'type:OVA'] },
        { id: removed.outboxId, tags: [`id:${id}`, 'type:OVA'] },
      ]);
      expect(await outbox.isPending(updated.outboxId!)).toBe(true);
      await outbox.remove([created.outboxId!, updated.outboxId!]);
      expect((await outbox.pending(1000)).map((entry) => entry.id)).toEqual([removed.outboxId]);
      expect(await outbox.size()).toBe(1);
      const appended = await outbox.append(['epoch']);
      expect(appended).toBeGreaterThan(removed.outboxId!);
      expect(await outbox.pending(1)).toEqual([{ id: removed.outboxId, tags: [`id:${id}`, 'type:OVA'] }]);
      await outbox.remove([removed.outboxId!, appended, appended]);
      expect(await outbox.size()).toBe(0);
      // Without `invalidates`, a write records nothing (the API without a cache).
      const plain = await repo.create({ ...input, sourceId: 'contract-outbox-2' });
      expect(plain.outboxId).toBeUndefined();
      expect(await outbox.size()).toBe(0);
      await repo.remove(plain.after!.id);
    });

    it('reloads idempotently, replaces atomically and leaves data untouched on abort', async () => {
      const repo = store.repository;
      const byId = () => listAll(repo, {}, { field: 'id', descending: false });
      const results = await loadRecords(store.loader, records);
      for (const result of results) expect(result).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
      expect(results.reduce((n, r) => n + r.unchanged, 0)).toBe(records.length);
      expect(await byId()).toEqual(all);

      const aborted = await store.loader.begin('replace', { source: 'kaggle' });
      await aborted.stage(records.slice(0, 5).filter((r) => r.source === 'kaggle'));
      await aborted.abort();
      expect(await byId()).toEqual(all);

      // A replace of one source: the other source's rows, ids colliding with the deleted ones, stay.
      const kaggle = records.filter((r) => r.source === 'kaggle');
      const edited = kaggle.slice(0, 50).map((r, i) => (i < 10 ? { ...r, title: `${r.title} (edited)` } : r));
      const added = { ...kaggle[0]!, sourceId: 'replace-new' };
      const replace = await store.loader.begin('replace', { source: 'kaggle' });
      await replace.stage([...edited, added]);
      const result = await replace.commit();
      expect(result).toMatchObject({ inserted: 1, updated: 10, unchanged: 40, deleted: kaggle.length - 50 });
      const after = await byId();
      const kept = all
        .filter((a) => a.source !== 'kaggle' || edited.some((e) => e.sourceId === a.sourceId))
        .map((a) => edited.find((e) => e.sourceId === a.sourceId && a.source === 'kaggle') ?? a);
      expect(after.map(fieldsOf)).toEqual([...kept, added].map(fieldsOf));
      expect(after.filter((a) => a.source === SECOND_SOURCE)).toEqual(
        all.filter((a) => a.source === SECOND_SOURCE),
      );
      expect(after.filter((a) => a.title.endsWith('(edited)')).every((a) => a.version === 2)).toBe(true);
      const genreTotal = (await repo.genres()).reduce((s, g) => s + g.count, 0);
      expect(genreTotal).toBe(after.reduce((s, a) => s + a.genres.length, 0));
    });

    it('relinks genres when a reload changes them on existing rows, adding and dropping genres', async () => {
      const repo = store.repository;
      const before = await listAll(repo, {}, { field: 'id', descending: false });
      // Three rows whose genres each change surely: each has a genre to drop, and is not ['Mystery'].
      const [first, second, third] = before.filter((a) => a.genres.length && a.genres.join() !== 'Mystery');
      const changed = [
        { ...fieldsOf(first!), genres: [...first!.genres.filter((g) => g !== 'Drama'), 'Brand New Genre'] },
        { ...fieldsOf(second!), genres: [] },
        { ...fieldsOf(third!), genres: ['Mystery'] },
      ];
      const results = await loadRecords(store.loader, changed);
      expect(results.reduce((n, r) => n + r.updated, 0)).toBe(3);
      for (const result of results) expect(result).toMatchObject({ inserted: 0, unchanged: 0, deleted: 0 });
      const after = await listAll(repo, {}, { field: 'id', descending: false });
      const ids = [first!.id, second!.id, third!.id];
      expect(after.filter((a) => ids.includes(a.id)).map(fieldsOf)).toEqual(changed);
      const counts = new Map((await repo.genres()).map((g) => [g.value, g.count]));
      const expected = new Map<string, number>();
      for (const anime of after)
        for (const genre of anime.genres) expected.set(genre, (expected.get(genre) ?? 0) + 1);
      expect(counts).toEqual(expected);
      expect(counts.get('Brand New Genre')).toBe(1);
      expect(
        (await listAll(repo, { genre: ['Brand New Genre'] }, { field: 'id', descending: false })).map(
          (a) => a.id,
        ),
      ).toEqual([first!.id]);
    });

    // Last, because it starts over on a fresh store (a shared SQL Server database is emptied).
    it('keeps the last line of a source id a file repeats, with its genres, loading into an empty store', async () => {
      await store.dispose();
      store = await open();
      const rows = fixtureRecords(130, 11, true);
      const repeats = [
        { ...rows[10]!, title: 'Repeated within a batch', genres: ['Mystery', 'mystery', 'Horror'] },
        { ...rows[3]!, title: 'Repeated in a later batch', genres: [] },
        { ...rows[60]!, genres: ['Comedy'] },
      ];
      const load = await store.loader.begin('upsert', { source: 'kaggle' });
      await load.stage([...rows.slice(0, 80), repeats[0]!]);
      await load.stage([...rows.slice(80), repeats[1]!, repeats[2]!]);
      expect(await load.commit()).toMatchObject({ inserted: rows.length, updated: 0, deleted: 0 });
      const expected = rows.map((r) => repeats.find((x) => x.sourceId === r.sourceId) ?? r);
      const stored = await listAll(store.repository, {}, { field: 'id', descending: false });
      expect(stored.map(fieldsOf)).toEqual(expected.map(fieldsOf));
      const counts = new Map((await store.repository.genres()).map((g) => [g.value.toLowerCase(), g.count]));
      for (const genre of ['mystery', 'horror', 'comedy']) {
        const holding = expected.filter((r) => r.genres.some((g) => g.toLowerCase() === genre)).length;
        expect([genre, counts.get(genre) ?? 0]).toEqual([genre, holding]);
      }
    });

    it('promotes a first admin only while there is none: of racing claims exactly one wins', async () => {
      const uids = ['first-a', 'first-b', 'first-c'];
      for (const uid of uids)
        await store.users.create({ uid, email: `${uid}@example.test`, displayName: null, role: 'user' });
      const claims = await Promise.all(uids.map((uid) => store.users.promoteFirstAdmin(uid)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const roles = await Promise.all(uids.map(async (uid) => (await store.users.findByUid(uid))!.role));
      expect(roles.filter((r) => r === 'admin')).toHaveLength(1);
      expect(await store.users.promoteFirstAdmin('no-such-uid')).toBe(false);
    });
  });
}
