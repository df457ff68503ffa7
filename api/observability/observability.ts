import { type Attributes, type Meter, metrics, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import client from 'prom-client';
import type { CacheObserver, CacheOutcome, CacheTier } from '../core/cache/cache-observer';
import type { CacheStats } from '../core/cache/read-through-cache';
import type { AnimeRepository } from '../core/ports/anime-repository';

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Spans and metrics for the cache and the database, recorded twice: through the OpenTelemetry API
 * (Application Insights or OTLP, when telemetry is on) and into a prom-client registry (/metrics).
 */
export class Observability implements CacheObserver {
  readonly tracer: Tracer;
  readonly registry = new client.Registry();
  private readonly otel;
  private readonly prom;

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
      hitRatio: meter.createObservableGauge('anime.cache.hit_ratio'),
      backlog: meter.createObservableGauge('anime.cache.outbox.backlog'),
      breaker: meter.createObservableGauge('anime.cache.breaker.state', {
        description: '0 closed, 1 half-open, 2 open',
      }),
    };
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
      queries: new client.Counter({
        name: 'anime_db_queries_total',
        help: 'Database queries',
        labelNames: ['operation'],
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
    let latest: CacheStats | undefined;
    const refresh = async () => {
      latest = await stats().catch(() => latest);
      return latest;
    };
    this.otel.hitRatio.addCallback(async (o) => o.observe((await refresh())?.hitRatio ?? 0));
    this.otel.backlog.addCallback(async (o) => o.observe((await refresh())?.pendingInvalidations ?? 0));
    this.otel.breaker.addCallback(async (o) =>
      o.observe(BREAKER_STATES[(await refresh())?.breaker ?? 'closed']),
    );
    const r = [this.registry];
    new client.Gauge({
      name: 'anime_cache_hit_ratio',
      help: 'Hit ratio',
      registers: r,
      collect: async function () {
        this.set((await refresh())?.hitRatio ?? 0);
      },
    });
    new client.Gauge({
      name: 'anime_cache_outbox_backlog',
      help: 'Pending invalidations',
      registers: r,
      collect: async function () {
        this.set((await refresh())?.pendingInvalidations ?? 0);
      },
    });
    new client.Gauge({
      name: 'anime_cache_breaker_state',
      help: '0 closed, 1 half-open, 2 open',
      registers: r,
      collect: async function () {
        this.set(BREAKER_STATES[(await refresh())?.breaker ?? 'closed']);
      },
    });
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
  repository(inner: AnimeRepository): AnimeRepository {
    return new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || property === 'close') return value;
        const operation = String(property);
        return (...args: unknown[]) =>
          this.span(`db.${operation}`, { 'db.operation': operation }, async () => {
            const started = performance.now();
            try {
              return await value.apply(target, args);
            } finally {
              const ms = performance.now() - started;
              this.otel.query.record(ms, { operation });
              this.prom.query.observe({ operation }, ms);
              this.prom.queries.inc({ operation });
            }
          });
      },
    });
  }
}
