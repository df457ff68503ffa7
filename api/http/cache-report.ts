import { trace } from '@opentelemetry/api';

export type CacheOutcome = 'HIT' | 'MISS' | 'BYPASS' | 'TOO_LARGE' | 'NOT_ADMITTED';

/** Whether responses say how the cache answered them. */
export interface CacheReport {
  /**
   * X-Cache, Cache-Status and Server-Timing: useful when developing, but they tell anyone whether a
   * query was run recently.
   */
  readonly expose: boolean;
}

const CACHE_STATUS: Record<CacheOutcome, string> = {
  HIT: 'anime-api; hit',
  MISS: 'anime-api; fwd=miss; stored',
  BYPASS: 'anime-api; fwd=bypass',
  TOO_LARGE: 'anime-api; fwd=miss; detail=too-large',
  NOT_ADMITTED: 'anime-api; fwd=miss; detail=not-admitted',
};
const X_CACHE: Record<CacheOutcome, string> = {
  HIT: 'HIT',
  MISS: 'MISS',
  BYPASS: 'BYPASS',
  TOO_LARGE: 'MISS',
  NOT_ADMITTED: 'MISS',
};
const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** The outcome on the active span, and the headers that report it when they are exposed. */
export function cacheReportHeaders(
  report: CacheReport,
  outcome: CacheOutcome,
  timings: Record<string, number>,
): Readonly<Record<string, string>> {
  trace.getActiveSpan()?.setAttribute('cache.outcome', outcome.toLowerCase());
  if (!report.expose) return NONE;
  let serverTiming = '';
  for (const name in timings) {
    serverTiming += `${serverTiming ? ', ' : ''}${name};dur=${timings[name]!.toFixed(1)}`;
  }
  return {
    'X-Cache': X_CACHE[outcome],
    'Cache-Status': CACHE_STATUS[outcome],
    'Server-Timing': serverTiming,
  };
}
