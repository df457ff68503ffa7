import { Writable } from 'node:stream';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { createRedisClient } from '../../platform/adapters/redis/redis-client';
import { CircuitBreaker } from '../../platform/core/cache/circuit-breaker';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { createLogger } from '../../platform/logger';
import { Observability } from '../../platform/observability/observability';
import { freePort } from '../support/redis-server';
import { createTestApp, signedUpAdmin } from '../support/test-app';

// In-memory exporters from the OpenTelemetry SDK stand in for Application Insights.
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

async function collected(name: string) {
  await reader.forceFlush();
  const all = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  return all.filter((m) => m.descriptor.name === name).at(-1);
}

function spanNamed(name: string, attributes: Record<string, unknown> = {}) {
  return spans
    .getFinishedSpans()
    .filter((s) => s.name === name && Object.entries(attributes).every(([k, v]) => s.attributes[k] === v));
}

async function appWith(cache: ReadThroughCache, observability: Observability) {
  const ctx = await createTestApp({ cache, observabilityFor: observability });
  return { ...ctx, admin: await signedUpAdmin(ctx.server) };
}

describe('telemetry with in-memory exporters', () => {
  it('records a miss, then a hit: spans with outcome and tier, the query, serialization, metrics', async () => {
    const observability = new Observability();
    const cache = new ReadThroughCache(new MemoryCacheStore(), { observer: observability });
    const ctx = await appWith(cache, observability);
    spans.reset();
    await request(ctx.server).get('/animes?type=OVA&limit=5').expect(200);
    expect(spanNamed('cache.lookup', { 'cache.outcome': 'miss', 'cache.tier': 'shared' })).toHaveLength(1);
    expect(spanNamed('db.list')).toHaveLength(1);
    expect(spanNamed('serialize')).toHaveLength(1);
    const lookup = spanNamed('cache.lookup')[0]!;
    expect(spanNamed('db.list')[0]!.parentSpanContext?.spanId).toBe(lookup.spanContext().spanId);
    spans.reset();
    await request(ctx.server).get('/animes?limit=5&type=ova').expect(200);
    expect(spanNamed('cache.lookup', { 'cache.outcome': 'hit', 'cache.tier': 'shared' })).toHaveLength(1);
    expect(spanNamed('db.list')).toHaveLength(0);

    const lookups = await collected('anime.cache.lookups');
    const count = (outcome: string) =>
      lookups?.dataPoints
        .filter((p) => p.attributes.outcome === outcome)
        .reduce((n, p) => n + Number(p.value), 0);
    expect(count('hit')).toBeGreaterThanOrEqual(1);
    expect(count('miss')).toBeGreaterThanOrEqual(1);
    const queries = await collected('anime.db.query.duration');
    expect(queries?.dataPoints.some((p) => p.attributes.operation === 'list')).toBe(true);
    expect((await collected('anime.cache.fill.duration'))?.dataPoints.length).toBeGreaterThan(0);
    await ctx.store.close();
  });

  it('records a write: its query, the invalidation span and invalidations by tag kind', async () => {
    const observability = new Observability();
    const cache = new ReadThroughCache(new MemoryCacheStore(), { observer: observability });
    const ctx = await appWith(cache, observability);
    spans.reset();
    await request(ctx.server).patch('/animes/3').set(ctx.admin).send({ episodes: 99 }).expect(200);
    expect(spanNamed('db.update')).toHaveLength(1);
    expect(spanNamed('cache.invalidate')).toHaveLength(1);
    const kinds = (await collected('anime.cache.invalidations'))?.dataPoints.map((p) => p.attributes.kind);
    expect(kinds).toEqual(expect.arrayContaining(['id', 'type', 'all']));
    await ctx.store.close();
  });

  it('records a request while Redis is down: bypass, and the breaker open', async () => {
    const observability = new Observability();
    // Nothing listens on this port: every command fails, as with Redis down.
    const store = new RedisCacheStore(createRedisClient({ url: `redis://127.0.0.1:${await freePort()}` }));
    const cache = new ReadThroughCache(store, {
      observer: observability,
      breaker: new CircuitBreaker(60_000),
    });
    observability.observeCache(() => cache.stats());
    const ctx = await appWith(cache, observability);
    spans.reset();
    // Three failures in a row open the breaker.
    for (let i = 0; i < 3; i++) await request(ctx.server).get('/animes?type=TV&limit=5').expect(200);
    expect(
      spanNamed('cache.lookup', { 'cache.outcome': 'bypass', 'cache.tier': 'none' }).length,
    ).toBeGreaterThanOrEqual(1);
    expect(spanNamed('db.list').length).toBe(3);
    const breaker = await collected('anime.cache.breaker.state');
    expect(breaker?.dataPoints.at(-1)?.value).toBe(2);
    await store.close();
    await ctx.store.close();
  });

  it('puts the trace and span ids on log lines written inside a span', async () => {
    let output = '';
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _e, done) {
          output += chunk;
          done();
        },
      }),
    );
    const traceId = trace.getTracer('test').startActiveSpan('work', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext().traceId;
    });
    logger.info('outside');
    const [inside, outside] = output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(inside.trace_id).toBe(traceId);
    expect(inside.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outside.trace_id).toBeUndefined();
  });

  it('serves Prometheus metrics to admins only', async () => {
    const observability = new Observability();
    const cache = new ReadThroughCache(new MemoryCacheStore(), { observer: observability });
    observability.observeCache(() => cache.stats());
    const ctx = await appWith(cache, observability);
    await request(ctx.server).get('/genres').expect(200);
    await request(ctx.server).get('/metrics').expect(401);
    const res = await request(ctx.server).get('/metrics').set(ctx.admin).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/anime_cache_lookups_total\{outcome="miss",tier="shared"\} 1/);
    expect(res.text).toMatch(/anime_db_query_duration_ms_count\{operation="genres"\} 1/);
    expect(res.text).toContain('anime_cache_hit_ratio');
    await ctx.store.close();
  });
});
