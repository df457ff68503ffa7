import { type Attributes, type Meter, metrics, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import client from 'prom-client';
import type { CacheObserver, CacheOutcome, CacheTier } from '../core/cache/cache-observer';
import type { CacheStats } from '../core/cache/read-through-cache';
import type { AnimeRepository } from '../core/ports/anime-repository';

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

type GaugeStats = Pick<CacheStats, 'hitRatio' | 'pendingInvalidations' | 'breaker'>;
const NO_STATS: GaugeStats = { hitRatio: 0, pendingInvalidations: 0, breaker: 'closed' };

/** The cache's gauges, by their OpenTelemetry and Prometheus names. */
const CACHE_GAUGES: readonly { otel: string; prom: string; help: string; read: (s: GaugeStats) => number }[] =
  [
    {
      otel: 'anime.cache.hit_ratio',
      prom: 'anime_cache_hit_ratio',
      help: 'Hit ratio',
      read: (s) => s.hitRatio,
    },
    {
      otel: 'anime.cache.outbox.backlog',
      prom: 'anime_cache_outbox_backlog',
      help: 'Pending invalidations',
      read: (s) => s.pendingInvalidations,
    },
    {
      otel: 'anime.cache.breaker.state',
      prom: 'anime_cache_breaker_state',
      help: '0 closed, 1 half-open, 2 open',
      read: (s) => BREAKER_STATES[s.breaker],
    },
  ];

/**
 * Spans and metrics for the cache and the database, recorded twice: through the OpenTelemetry API
 * (Application Insights or OTLP, when telemetry is on) and into a prom-client registry (/metrics).
 */
export class Observability implements CacheObserver {
  readonly tracer: Tracer;
  readonly registry = new client.Registry();
  private readonly otel;
  private readonly prom;
  private readonly meter: Meter;

  constructor(meter: Meter = metrics.getMeter('anime-api'), tracer: Tracer = trace.getTracer('anime-api')) {
    this.tracer = tracer;
    this.otel = {
      lookups: meter.createCounter('anime.cache.lookups', {
        description: 'Cache lookups by outcome and tier',
      }),
      invalidations: meter.createCounter('anime.cache.invalidations', {
        description: 'Tag bumps by tag kind',
      }),
      fill: meter.createHistogram('anime.cache.fill.duration', { unit: 'ms' }),
      query: meter.createHistogram('anime.db.query.duration', { unit: 'ms' }),
    };
    this.meter = meter;
    const r = [this.registry];
    this.prom = {
      lookups: new client.Counter({
        name: 'anime_cache_lookups_total',
        help: 'Cache lookups',
        labelNames: ['outcome', 'tier'],
        registers: r,
      }),
      invalidations: new client.Counter({
        name: 'anime_cache_invalidations_total',
        help: 'Tag bumps',
        labelNames: ['kind'],
        registers: r,
      }),
      fill: new client.Histogram({
        name: 'anime_cache_fill_duration_ms',
        help: 'Fill duration',
        buckets: [1, 5, 20, 100, 500, 2000],
        registers: r,
      }),
      query: new client.Histogram({
        name: 'anime_db_query_duration_ms',
        help: 'Query duration',
        labelNames: ['operation'],
        buckets: [1, 5, 20, 100, 500, 2000],
        registers: r,
      }),
    };
    client.collectDefaultMetrics({ register: this.registry });
  }

  outcome(outcome: CacheOutcome, tier: CacheTier): void {
    trace.getActiveSpan()?.setAttributes({ 'cache.outcome': outcome, 'cache.tier': tier });
    this.otel.lookups.add(1, { outcome, tier });
    this.prom.lookups.inc({ outcome, tier });
  }

  invalidated(tags: readonly string[]): void {
    for (const tag of tags) {
      const kind = tag.split(':')[0]!;
      this.otel.invalidations.add(1, { kind });
      this.prom.invalidations.inc({ kind });
    }
  }

  filled(durationMs: number): void {
    this.otel.fill.record(durationMs);
    this.prom.fill.observe(durationMs);
  }

  /** Gauges read from the cache's own counters when a reader collects. */
  observeCache(stats: () => Promise<CacheStats>): void {
    // One stats() call (it asks the store for its size) serves every gauge of a collection.
    let latest: CacheStats | undefined;
    let reading: Promise<CacheStats | undefined> | undefined;
    const current = () => {
      reading ??= stats()
        .then(
          (value) => (latest = value),
          () => latest,
        )
        .finally(() => setImmediate(() => (reading = undefined)));
      return reading;
    };
    const read = async (gauge: (typeof CACHE_GAUGES)[number]) => gauge.read((await current()) ?? NO_STATS);
    const observables = CACHE_GAUGES.map((gauge) =>
      this.meter.createObservableGauge(gauge.otel, { description: gauge.help }),
    );
    this.meter.addBatchObservableCallback(async (result) => {
      for (const [i, gauge] of CACHE_GAUGES.entries()) result.observe(observables[i]!, await read(gauge));
    }, observables);
    for (const gauge of CACHE_GAUGES) {
      new client.Gauge({
        name: gauge.prom,
        help: gauge.help,
        registers: [this.registry],
        collect: async function () {
          this.set(await read(gauge));
        },
      });
    }
  }

  /** Runs `work` in a span; errors mark the span and propagate. */
  async span<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await work();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** The repository with a span and a duration per call. */
  /** A streaming read is timed from its start to its last chunk (no span: it spans many turns). */
  private streamed<A extends unknown[], T>(operation: string, stream: (...args: A) => AsyncIterable<T>) {
    const record = (ms: number) => {
      this.otel.query.record(ms, { operation });
      this.prom.query.observe({ operation }, ms);
    };
    return async function* (...args: A): AsyncGenerator<T> {
      const started = performance.now();
      try {
        yield* stream(...args);
      } finally {
        record(performance.now() - started);
      }
    };
  }

  repository(inner: AnimeRepository): AnimeRepository {
    return new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || property === 'close') return value;
        const operation = String(property);
        if (property === 'streamAll' || property === 'streamAllJson')
          return this.streamed(operation, value.bind(target));
        return (...args: unknown[]) =>
          this.span(`db.${operation}`, { 'db.operation': operation }, async () => {
            const started = performance.now();
            try {
              return await value.apply(target, args);
            } finally {
              const ms = performance.now() - started;
              this.otel.query.record(ms, { operation });
              // Its _count series is the number of queries per operation.
              this.prom.query.observe({ operation }, ms);
            }
          });
      },
    });
  }
}
