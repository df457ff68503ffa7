import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Response headers for a JSON API (helmet, configured): nothing may be framed, sniffed or loaded
 * from a response, no referrer leaves, and with TLS in front browsers keep to HTTPS. The /docs page
 * sets its own, wider Content-Security-Policy for its own scripts and styles.
 */
export function securityHeaders(options: { hsts: boolean }): Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  }) as unknown as Middleware;
}
