import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CacheSpec } from '../../platform/core/cache/cache-keys';
import type { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { type CacheReport, cacheReportHeaders } from './cache-report';
import { type CachedRead, decideCachedRead } from './cached-read';
import { preferredListType } from './negotiation';
import { type PreparedResponse, prepareResponse } from './prepared-response';
import { logRequest, requestIdFor } from './request-context';

/** What the lane decided before it let a request go on to Koa, so nothing is looked up twice. */
export interface Handoff {
  readonly spec: CacheSpec;
  readonly read: CachedRead;
}

interface KnownUrl {
  readonly route: string;
  readonly spec: CacheSpec;
  readonly ownEtag: boolean;
}

export interface HitLaneOptions {
  readonly cache: ReadThroughCache;
  readonly report: CacheReport;
  /** The same set the Koa pipeline sends (security-headers.ts). */
  readonly securityHeaders: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Keys whose answer is too large to cache, shared with the caching responder. */
  readonly tooLarge: ReadonlySet<string>;
  /** Distinct URLs remembered. @default 4096 */
  readonly maxUrls?: number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Cache hits answered before Koa. A URL that Koa has already parsed, validated and resolved to the
 * cache key of a public read is remembered; the next request for the same bytes of URL takes the
 * same cached-read decision (cached-read.ts) the caching responder takes, without Koa's pipeline.
 * An answer from the cache (a hit or a 304) is written here; any other decision goes on to Koa
 * with the request, so the responder acts on it instead of deciding again.
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

  /**
   * The server's request listener: the lane first, then `next` (Koa's callback) for everything
   * the lane does not answer, as Koa's own callback composes its middleware.
   */
  or(next: RequestListener): RequestListener {
    return (req, res) => {
      const answered = this.tryServe(req, res);
      if (answered === false) return next(req, res);
      answered.then(
        (done) => (done ? undefined : next(req, res)),
        () => (res.headersSent ? undefined : next(req, res)),
      );
    };
  }

  /** Called by the caching responder once Koa resolved `url` to the cache entry of a public read. */
  remember(url: string, route: string, spec: CacheSpec, ownEtag: boolean): void {
    if (this.urls.has(url)) return;
    if (this.urls.size >= this.maxUrls) this.urls.delete(this.urls.keys().next().value!);
    this.urls.set(url, { route, spec, ownEtag });
  }

  /** What the lane decided for this request, once. */
  takeHandoff(req: IncomingMessage): Handoff | undefined {
    const handoff = this.handoffs.get(req);
    this.handoffs.delete(req);
    return handoff;
  }

  /** false at once when the lane does not know the request; else whether it answered it. */
  private tryServe(req: IncomingMessage, res: ServerResponse): false | Promise<boolean> {
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
    const ifNoneMatch = header(req, 'if-none-match');
    const read = await decideCachedRead(this.options.cache, this.options.tooLarge, known.spec, {
      ifNoneMatch,
      ownEtag: known.ownEtag,
    });
    if (read.kind !== 'answer') {
      this.handoffs.set(req, { spec: known.spec, read });
      return false;
    }
    const prepared = prepareResponse(read.representation, {
      ifNoneMatch,
      acceptEncoding: header(req, 'accept-encoding'),
    });
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

  private write(
    known: KnownUrl,
    req: IncomingMessage,
    res: ServerResponse,
    prepared: PreparedResponse,
    cacheMs: number,
  ): void {
    const requestId = requestIdFor(header(req, 'x-request-id'));
    // Koa's instrumentation names the span of a request Koa routes; this one never reaches Koa.
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
    logRequest(this.options.logger, requestId, 'GET', req.url ?? '', prepared.status, cacheMs);
  }
}
