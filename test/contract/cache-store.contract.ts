import type { CacheStore } from '../../platform/core/ports/cache-store';

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

    it('bumps tags independently, by one, from stable starting generations', async () => {
      const tags = [`t-${Math.random()}`, `u-${Math.random()}`];
      const [t0, u0] = await store.generations(tags);
      expect(await store.generations(tags)).toEqual([t0, u0]);
      await store.bump([tags[0]!]);
      await store.bump(tags);
      expect(await store.generations(tags)).toEqual([t0! + 2, u0! + 1]);
      expect(await store.generations([])).toEqual([]);
    });

    it('bumps a tag never read before', async () => {
      const tag = `fresh-${Math.random()}`;
      await store.bump([tag]);
      const [g] = await store.generations([tag]);
      await store.bump([tag]);
      expect(await store.generations([tag])).toEqual([g! + 1]);
    });

    it('gives a fill lock to one holder at a time, released only by its token', async () => {
      const key = `lock-${Math.random()}`;
      const token = await store.tryLock(key, 10_000);
      expect(token).toEqual(expect.any(String));
      expect(await store.tryLock(key, 10_000)).toBeNull();
      await store.unlock(key, 'not-the-token');
      expect(await store.tryLock(key, 10_000)).toBeNull();
      await store.unlock(key, token!);
      const next = await store.tryLock(key, 60);
      expect(next).toEqual(expect.any(String));
      await new Promise((r) => setTimeout(r, 150));
      expect(await store.tryLock(key, 10_000)).toEqual(expect.any(String));
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
