import type { Middleware } from 'koa';
import { HttpProblem } from './problem';
import { clientAddress } from './throttle';

/**
 * A fair share of the instance per client: at most `perClient` requests of one client address in
 * progress at once, beyond that 503 with Retry-After. The address is the trusted one (behind App
 * Service, the address its front end forwards, as the rate limits use), so this holds where the
 * per-connection cap cannot: every connection there comes from the front end. `/health` is exempt.
 */
export function inFlightShare(perClient: number): Middleware {
  const inFlight = new Map<string, number>();
  return async (ctx, next) => {
    if (ctx.path === '/health') return next();
    const client = clientAddress(ctx);
    const running = inFlight.get(client) ?? 0;
    if (running >= perClient)
      throw new HttpProblem(
        503,
        'this client has as many requests in progress as one client may; retry when one finishes',
        {},
        { 'Retry-After': '1' },
      );
    inFlight.set(client, running + 1);
    try {
      await next();
    } finally {
      const left = (inFlight.get(client) ?? 1) - 1;
      if (left > 0) inFlight.set(client, left);
      else inFlight.delete(client);
    }
  };
}
