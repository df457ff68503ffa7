import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Middleware } from 'koa';

/**
 * Response headers for a JSON API (helmet, configured): nothing may be framed, sniffed or loaded
 * from a response, no referrer leaves, and with TLS in front browsers keep to HTTPS. The /docs page
 * sets its own, wider Content-Security-Policy for its own scripts and styles.
 *
 * Helmet's answer does not depend on the request, so it runs once and every response, from Koa or
 * the hit lane, gets the same prepared set.
 */
export function securityHeaderSet(options: { hsts: boolean }): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string | number) => {
      headers[name] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
    // helmet only calls these two on the response: a stand-in collects its headers once, at start.
  } as unknown as ServerResponse;
  let ran = false;
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  })({ headers: {} } as IncomingMessage, collector, () => {
    ran = true;
  });
  if (!ran) throw new Error('helmet did not finish synchronously; its headers cannot be prepared once');
  return Object.freeze(headers);
}

export function securityHeaders(headers: Readonly<Record<string, string>>): Middleware {
  return async (ctx, next) => {
    ctx.set(headers);
    await next();
  };
}
