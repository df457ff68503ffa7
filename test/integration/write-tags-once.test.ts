import { CatalogueWrites, type Invalidator } from '../../platform/core/catalogue-writes';
import type { AnimeRepository, InvalidatedTags } from '../../platform/core/ports/anime-repository';
import { createTestApp } from '../support/test-app';

describe("a write's invalidation tags", () => {
  it('are computed once, in the write, and the cache is handed exactly what the outbox recorded', async () => {
    const ctx = await createTestApp();
    const recorded: (readonly string[])[] = [];
    const invalidated: (readonly string[])[] = [];
    /** The store's repository, noting what each write's `invalidates` returned for its outbox entry. */
    const repository = new Proxy(ctx.store.repository, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'update' && name !== 'create' && name !== 'remove') return value;
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const invalidates = args[last] as InvalidatedTags;
          args[last] = ((result) => {
            const tags = invalidates(result);
            recorded.push(tags);
            return tags;
          }) satisfies InvalidatedTags;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as AnimeRepository;
    const cache: Invalidator = {
      invalidate: async (tags) => {
        invalidated.push(tags);
      },
    };
    try {
      const writes = new CatalogueWrites(repository, cache);
      await writes.patch(1, { episodes: 77 });
      await writes.remove(2);
      expect(recorded).toHaveLength(2);
      expect(invalidated).toHaveLength(2);
      // The same arrays, not equal ones: nothing computed the tags a second time.
      for (const [i, tags] of invalidated.entries()) expect(tags).toBe(recorded[i]);
      expect(invalidated[0]).toEqual(expect.arrayContaining(['all', 'id:1']));
    } finally {
      await ctx.platform.close();
    }
  });
});
