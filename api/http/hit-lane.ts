import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { CacheSpec } from '../core/cache/cache-keys';
import type { CacheLookup, ReadThroughCache } from '../core/cache/read-through-cache';
import { type CacheReport, cacheReportHeaders } from './cache-report';
import {
  decodeRepresentation,
  ifNoneMatchHits,
  type PreparedResponse,
  preferredListType,
  prepareResponse,
} from './representation';
import { requestIdFor } from './request-context';

/** What the lane learnt before it let a request go on to Koa, so nothing is looked up twice. */
export interface Handoff {
  readonly spec: CacheSpec;
  /** undefined: the cache is bypassed for this request. */
  readonly lookup: CacheLookup | undefined;
  /** The store's answer when the lane asked it: null a miss, undefined a failed store. */
  readonly stored?: Buffer | null;
}

interface KnownUrl {
  readonly route: string;
  readonly spec: CacheSpec;
  /** The representation carries its own validator, so a 304 needs the entry. */
  readonly ownEtag: boolean;
}

export interface HitLaneOptions {
  readonly cache: ReadThroughCache;
  readonly report: CacheReport;
  readonly securityHeaders: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Keys whose answer is too large to cache: Koa streams them. */
  readonly tooLarge: ReadonlySet<string>;
  /** Distinct URLs remembered. @default 4096 */
  readonly maxUrls?: number;
}

const EMPTY = Buffer.alloc(0);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Cache hits answered before Koa. A URL that Koa has already parsed, validated and resolved to the
 * cache key of a public read is remembered; the next request for the same bytes of URL goes
 * straight to the cache lookup (the same coherence checks, the same generations) and, on a hit or
 * a 304, is written with prepared headers. Everything else, and anything the lane is unsure of,
 * goes on to Koa with what the lane learnt. Both send what `prepareResponse` returns.
 */
export class HitLane {
  private readonly urls = new Map<string, KnownUrl>();
  private readonly handoffs = new WeakMap<IncomingMessage, Handoff>();
  private readonly flattened = new WeakMap<PreparedResponse, string[]>();
  private readonly maxUrls: number;
  /** Responses the lane wrote itself. */
  served = 0;

  constructor(private readonly options: HitLaneOptions) {
    this.maxUrls = options.maxUrls ?? 4096;
  }

  /** Called by the caching responder once Koa resolved `url` to the cache entry of a public read. */
  remember(url: string, route: string, spec: CacheSpec, ownEtag = false): void {
    if (this.urls.has(url)) return;
    if (this.urls.size >= this.maxUrls) this.urls.delete(this.urls.keys().next().value!);
    this.urls.set(url, { route, spec, ownEtag });
  }

  /** What the lane learnt of this request, once. */
  takeHandoff(req: IncomingMessage): Handoff | undefined {
    const handoff = this.handoffs.get(req);
    this.handoffs.delete(req);
    return handoff;
  }

  /** false at once when the lane does not know the request; else whether it answered it. */
  tryServe(req: IncomingMessage, res: ServerResponse): false | Promise<boolean> {
    // A browser's cross-origin read needs the CORS answer, which Koa gives.
    if (req.method !== 'GET' || req.headers.origin !== undefined) return false;
    // Prefer and a CSV Accept choose another answer for the same URL: Koa reads them.
    if (req.headers.prefer !== undefined) return false;
    if (preferredListType(header(req, 'accept')) !== 'application/json') return false;
    const known = this.urls.get(req.url ?? '');
    if (!known) return false;
    return this.serve(known, req, res);
  }

  private async serve(known: KnownUrl, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const started = performance.now();
    const { cache, tooLarge } = this.options;
    const { spec } = known;
    const lookup = await cache.lookup(spec);
    if (!lookup || tooLarge.has(lookup.storeKey)) return this.handOn(req, { spec, lookup });
    const ifNoneMatch = header(req, 'if-none-match');
    let prepared: PreparedResponse;
    // The entry's tag answers If-None-Match without reading it, unless the route has its own.
    if (!known.ownEtag && ifNoneMatchHits(ifNoneMatch, lookup.etag)) {
      prepared = prepareResponse(
        { body: EMPTY, contentType: 'application/json', etag: lookup.etag },
        { ifNoneMatch },
      );
    } else {
      const stored = await cache.get(lookup);
      if (!stored) return this.handOn(req, { spec, lookup, stored });
      prepared = prepareResponse(decodeRepresentation(stored), {
        ifNoneMatch,
        acceptEncoding: header(req, 'accept-encoding'),
      });
    }
    this.write(known, req, res, prepared, performance.now() - started);
    return true;
  }

  /** The headers a prepared answer always has, flattened once per answer (answers are kept per entry). */
  private fixedHeaders(prepared: PreparedResponse): string[] {
    let flat = this.flattened.get(prepared);
    if (!flat) {
      const headers = { ...this.options.securityHeaders, ...prepared.headers };
      if (prepared.body) headers['Content-Length'] = String(prepared.body.length);
      flat = Object.entries(headers).flat();
      this.flattened.set(prepared, flat);
    }
    return flat;
  }

  private handOn(req: IncomingMessage, handoff: Handoff): false {
    this.handoffs.set(req, handoff);
    return false;
  }

  private write(
    known: KnownUrl,
    req: IncomingMessage,
    res: ServerResponse,
    prepared: PreparedResponse,
    cacheMs: number,
  ): void {
    const requestId = requestIdFor(header(req, 'x-request-id'));
    const span = trace.getActiveSpan();
    span?.setAttribute('http.route', known.route);
    span?.updateName(`GET ${known.route}`);
    const headers = this.fixedHeaders(prepared).slice();
    headers.push('X-Request-Id', requestId);
    const report = cacheReportHeaders(this.options.report, 'HIT', { cache: cacheMs });
    for (const name in report) headers.push(name, report[name]!);
    res.writeHead(prepared.status, headers);
    res.end(prepared.body);
    this.served++;
    const { logger } = this.options;
    if (logger.isLevelEnabled('info')) {
      const path = (req.url ?? '').split('?')[0];
      logger.info(
        { requestId, method: 'GET', path, status: prepared.status, ms: Math.round(cacheMs) },
        'request',
      );
    }
  }
}

/** Makes the app's request handler ask the hit lane first, wherever the handler is used. */
export function answerHitsFirst(app: Koa, lane: HitLane): void {
  const callback = app.callback.bind(app);
  app.callback = () => {
    const koa = callback();
    return ((req: IncomingMessage, res: ServerResponse) => {
      const answered = lane.tryServe(req, res);
      if (answered === false) return koa(req, res);
      return answered.then(
        (done) => (done ? undefined : koa(req, res)),
        () => (res.headersSent ? undefined : koa(req, res)),
      );
    }) as typeof koa;
  };
}
