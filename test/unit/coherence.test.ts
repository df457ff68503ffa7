import { type CatalogueStore, openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { CacheCoherence } from '../../platform/core/cache/coherence';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { CatalogueWrites } from '../../platform/core/catalogue-writes';
import { ChaosCacheStore } from '../support/chaos-cache-store';
import { FakeClock } from '../support/fake-clock';
import { fixtureRecords, loadRecords } from '../support/fixtures';

const LEASE = 1000;
const MARGIN = 50;

/** A real SQLite catalogue and outbox, a chaos-wrapped in-process store, and a hand-moved clock. */
function setUp() {
  const catalogue: CatalogueStore = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
  const store = new ChaosCacheStore(new MemoryCacheStore());
  const clock = new FakeClock();
  const coherence = new CacheCoherence((tags) => store.bump(tags), catalogue.outbox, catalogue.repository, {
    leaseMs: LEASE,
    checkIntervalMs: 200,
    clockMarginMs: MARGIN,
    clock,
  });
  const cache = new ReadThroughCache(store, { coherence });
  return {
    catalogue,
    store,
    clock,
    coherence,
    cache,
    writes: new CatalogueWrites(catalogue.repository, cache),
  };
}

async function seeded() {
  const s = setUp();
  await loadRecords(s.catalogue.loader, fixtureRecords().slice(0, 5));
  return s;
}

describe('cache coherence: the lease', () => {
  it('is not held before the first check, so a restarted instance bypasses until it has looked', async () => {
    const s = setUp();
    expect(s.coherence.usable()).toBe(false);
    expect(await s.cache.lookup({ key: 'k', tags: ['epoch', 'all'] })).toBeUndefined();
    expect(await s.coherence.check()).toBe(true);
    expect(await s.cache.lookup({ key: 'k', tags: ['epoch', 'all'] })).toBeDefined();
  });

  it('lasts exactly leaseMs from the start of a clean check', async () => {
    const s = setUp();
    await s.coherence.check();
    s.clock.advance(LEASE - 1);
    expect(s.coherence.usable()).toBe(true);
    s.clock.advance(1);
    expect(s.coherence.usable()).toBe(false);
  });

  it('is withdrawn at once by a check that cannot apply a pending entry, which stays pending', async () => {
    const s = setUp();
    await s.coherence.check();
    expect(s.coherence.usable()).toBe(true);
    await s.catalogue.outbox.append(['type:OVA']);
    s.store.fail('bump');
    expect(await s.coherence.check()).toBe(false);
    expect(s.coherence.usable()).toBe(false);
    expect(await s.catalogue.outbox.size()).toBe(1);
    s.store.heal();
    expect(await s.coherence.check()).toBe(true);
    expect(await s.catalogue.outbox.size()).toBe(0);
    expect(s.coherence.stats().replayed).toBe(1);
  });

  it('applies every pending entry as one bump of the union of their tags', async () => {
    const s = setUp();
    const inner = new MemoryCacheStore();
    const direct = new CacheCoherence(
      (tags) => inner.bump(tags),
      s.catalogue.outbox,
      s.catalogue.repository,
      {
        clock: s.clock,
      },
    );
    await s.catalogue.outbox.append(['type:OVA', 'all']);
    await s.catalogue.outbox.append(['type:TV', 'all']);
    expect(await direct.check()).toBe(true);
    expect(await inner.generations(['type:OVA', 'type:TV', 'all', 'genre:x'])).toEqual([1, 1, 1, 0]);
  });

  it('withdraws the lease when more entries are pending than one check applies', async () => {
    const s = setUp();
    const small = new CacheCoherence(
      (tags) => s.store.bump(tags),
      s.catalogue.outbox,
      s.catalogue.repository,
      {
        clock: s.clock,
        batch: 2,
        checkIntervalMs: 100,
      },
    );
    for (let i = 0; i < 3; i++) await s.catalogue.outbox.append([`id:${i}`]);
    expect(await small.check()).toBe(false);
    expect(await small.check()).toBe(true);
    expect(await s.catalogue.outbox.size()).toBe(0);
  });

  it('invalidates everything once for an outside write, then marks it accounted', async () => {
    const s = await seeded(); // a bulk load is an outside write
    const before = await s.store.generations(['epoch']);
    expect(await s.coherence.check()).toBe(true);
    expect(await s.store.generations(['epoch'])).toEqual([before[0]! + 1]);
    const marker = await s.catalogue.repository.changeMarker();
    expect(marker.accounted).toBe(marker.version);
    expect(await s.coherence.check()).toBe(true);
    expect(await s.store.generations(['epoch'])).toEqual([before[0]! + 1]);
  });

  it('refuses a check interval that is not below the lease, naming both', () => {
    const s = setUp();
    expect(
      () =>
        new CacheCoherence(async () => {}, s.catalogue.outbox, s.catalogue.repository, {
          leaseMs: 500,
          checkIntervalMs: 500,
        }),
    ).toThrow('checkIntervalMs (500) must be below leaseMs (500)');
  });
});

describe('cache coherence: the write side', () => {
  it('records the invalidation in the write transaction and removes it once applied', async () => {
    const s = await seeded();
    await s.coherence.check();
    const [first] = (await s.catalogue.repository.list({}, { field: 'id', descending: false }, { limit: 1 }))
      .items;
    const { outboxId } = await s.catalogue.repository.update(
      first!.id,
      { ...first!, title: 'x' },
      undefined,
      () => ['id:1'],
    );
    expect(outboxId).toBeGreaterThan(0);
    expect(await s.catalogue.outbox.isPending(outboxId!)).toBe(true); // committed with the row
    expect(await s.coherence.settle(['id:1'], outboxId!)).toBe('applied');
    // Removed on a later turn, after the write was answered.
    expect(await s.catalogue.outbox.isPending(outboxId!)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await s.catalogue.outbox.isPending(outboxId!)).toBe(false);
  });

  it('a write that rolls back leaves no entry', async () => {
    const s = await seeded();
    const [first] = (await s.catalogue.repository.list({}, { field: 'id', descending: false }, { limit: 1 }))
      .items;
    await expect(s.writes.update(first!.id, { ...first!, title: 'stale' }, 99)).rejects.toThrow(/version/);
    expect(await s.catalogue.outbox.size()).toBe(0);
  });

  it('retries a failing bump and is acknowledged as soon as a retry succeeds', async () => {
    const s = await seeded();
    const id = await s.catalogue.outbox.append(['type:OVA']);
    s.store.fail('bump');
    let sleeps = 0;
    s.clock.onSleep = () => {
      if (++sleeps === 3) s.store.heal();
    };
    const started = s.clock.now();
    expect(await s.coherence.settle(['type:OVA'], id)).toBe('applied');
    expect(s.store.calls.bump).toBe(4);
    expect(s.clock.now() - started).toBeLessThan(LEASE);
  });

  it('is acknowledged when a peer applied the entry, without bumping itself', async () => {
    const s = await seeded();
    const id = await s.catalogue.outbox.append(['type:OVA']);
    s.store.fail('bump');
    s.clock.onSleep = async () => {
      await s.catalogue.outbox.remove([id]); // another instance's check applied it
    };
    expect(await s.coherence.settle(['type:OVA'], id)).toBe('applied-by-peer');
    expect(s.coherence.stats().settled['applied-by-peer']).toBe(1);
  });

  it('when nobody can apply it, waits one lease plus the margin, never less, then acknowledges', async () => {
    const s = await seeded();
    const id = await s.catalogue.outbox.append(['type:OVA']);
    s.store.fail('bump');
    const started = s.clock.now();
    expect(await s.coherence.settle(['type:OVA'], id)).toBe('lease-expired');
    expect(s.clock.now() - started).toBe(LEASE + MARGIN);
    expect(await s.catalogue.outbox.isPending(id)).toBe(true); // left for the checks
  });

  it('a lease taken before the commit has expired when that write is acknowledged unapplied', async () => {
    const s = await seeded();
    await s.coherence.check(); // lease from before the write
    expect(s.coherence.usable()).toBe(true);
    s.store.fail('bump');
    const [first] = (await s.catalogue.repository.list({}, { field: 'id', descending: false }, { limit: 1 }))
      .items;
    await s.writes.update(first!.id, { ...first!, title: 'acknowledged unapplied' });
    expect(s.coherence.stats().settled['lease-expired']).toBe(1);
    expect(s.coherence.usable()).toBe(false);
    // The next check sees the entry; while it cannot apply it the cache stays unusable.
    expect(await s.coherence.check()).toBe(false);
    expect(await s.cache.lookup({ key: 'k', tags: ['epoch', 'all'] })).toBeUndefined();
  });

  it('purge goes through the outbox too', async () => {
    const s = setUp();
    await s.coherence.check();
    s.store.fail('bump');
    await s.cache.purge();
    expect(await s.catalogue.outbox.size()).toBe(1);
    s.store.heal();
    await s.coherence.check();
    expect(await s.store.generations(['epoch'])).toEqual([1]);
  });
});
