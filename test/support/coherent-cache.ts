import type { CatalogueStore } from '../../composition/catalogue-store';
import type { CircuitBreaker } from '../../platform/core/cache/circuit-breaker';
import { CacheCoherence, type CacheCoherenceOptions } from '../../platform/core/cache/coherence';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import type { CacheStore } from '../../platform/core/ports/cache-store';

/**
 * A response cache wired as production wires it (outbox, change marker, leases), over any store,
 * for one instance of a catalogue store. Its first check has run; `stop()` ends its timer.
 */
export async function coherentCache(
  cacheStore: CacheStore,
  catalogue: CatalogueStore,
  options: CacheCoherenceOptions & { breaker?: CircuitBreaker; l1Hits?: () => number } = {},
) {
  const coherence = new CacheCoherence(
    (tags) => cacheStore.bump(tags),
    catalogue.outbox,
    catalogue.repository,
    { leaseMs: 600, checkIntervalMs: 50, ...options },
  );
  const cache = new ReadThroughCache(cacheStore, {
    coherence,
    breaker: options.breaker,
    l1Hits: options.l1Hits,
  });
  await coherence.start();
  return { cache, coherence, stop: () => coherence.stop() };
}
