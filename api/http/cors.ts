import cors from '@koa/cors';
import type { Middleware } from 'koa';

/** Which browser origins may call the API, and for how long a preflight answer holds. */
export interface CorsProps {
  /** Exact origins (`https://app.example.com`), or `*` for any. @default none: no CORS at all */
  readonly origins: readonly string[];
  /** @default 600 */
  readonly maxAgeSeconds?: number;
}

/** The headers a cross-origin script may send and read: the document's (`documentedHeaders`). */
export interface CorsHeaders {
  readonly request: readonly string[];
  readonly response: readonly string[];
}

/** Parses CORS_ORIGINS: comma-separated, each `*` or a bare origin; names the first bad value. */
export function parseOrigins(list: string | undefined): string[] {
  const origins = (list ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin)
      throw new Error(
        `CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path or trailing slash), nor *`,
      );
  }
  return origins;
}

/**
 * CORS by @koa/cors for the listed origins, allowing and exposing the headers the API documents:
 * bearer tokens, not cookies, so no credentials mode;
 * preflights cached by the browser for `maxAgeSeconds`. Undefined when no origin is listed.
 */
export function corsPolicy(props: CorsProps, headers: CorsHeaders): Middleware | undefined {
  if (props.origins.length === 0) return undefined;
  const any = props.origins.includes('*');
  const allowed = new Set(props.origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return any ? '*' : allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: [...headers.request],
    exposeHeaders: [...headers.response],
    maxAge: props.maxAgeSeconds ?? 600,
  });
}
