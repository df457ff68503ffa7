import type { CacheStore } from '../../api/core/ports/cache-store';

/** The behaviour every CacheStore adapter must have. */
export function describeCacheStoreContract(
  name: string,
  open: () => Promise<CacheStore>,
  enabled = true,
): void {
  (enabled ? describe : describe.skip)(`cache store contract: ${name}`, () => {
    let store: CacheStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it('starts every generation at 0 and bumps tags independently', async () => {
      const tags = [`t-${Math.random()}`, `u-${Math.random()}`];
      expect(await store.generations(tags)).toEqual([0, 0]);
      await store.bump([tags[0]!]);
      await store.bump(tags);
      expect(await store.generations(tags)).toEqual([2, 1]);
      expect(await store.generations([])).toEqual([]);
    });

    it('round-trips binary values and misses unknown keys', async () => {
      const value = Buffer.from([0, 255, 1, 2, 3, 0x7b]);
      await store.set('k:bin', value, 10_000);
      expect((await store.get('k:bin'))?.equals(value)).toBe(true);
      expect(await store.get('k:missing')).toBeNull();
    });

    it('expires entries after their TTL', async () => {
      await store.set('k:ttl', Buffer.from('x'), 60);
      await new Promise((r) => setTimeout(r, 150));
      expect(await store.get('k:ttl')).toBeNull();
    });

    it('counts entries and bytes', async () => {
      await store.set('k:size', Buffer.alloc(1000), 10_000);
      const size = await store.size();
      expect(size.entries).toBeGreaterThanOrEqual(1);
      expect(size.bytes).toBeGreaterThanOrEqual(1000);
    });
  });
}
