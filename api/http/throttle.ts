import type { Context } from 'koa';
import { normalizeEmail } from '../../platform/core/auth/accounts';
import type { RateLimiter } from '../../platform/core/ports/rate-limiter';
import { HttpProblem } from './problem';

export interface AuthRateLimits {
  /** @default 300000 (5 min) */
  readonly windowMs: number;
  /** Calls to /auth/* per client IP per window. @default 100 */
  readonly perIp: number;
  /** Sign-in and sign-up attempts per email per window. @default 10 */
  readonly perEmail: number;
  /**
   * Password checks one client address may have in flight on this instance. With the hashing queue
   * this is what keeps one flooding client from taking every slot from everyone else. @default 2
   */
  readonly inFlightPerClient?: number;
}

const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimits = {
  windowMs: 300_000,
  perIp: 100,
  perEmail: 10,
  inFlightPerClient: 2,
};

/**
 * The client's address as far as it can be trusted: the TCP peer, or with trusted proxy hops (Koa's
 * `proxy` and `maxIpsCount`) the address the outermost trusted hop appended. A `:port` suffix (App
 * Service's front end adds one) is dropped, or every connection would count as a new client.
 */
export function clientAddress(ctx: Context): string {
  const ip = ctx.ip;
  return /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip)?.[1] ?? /^\[(.+)\]:\d+$/.exec(ip)?.[1] ?? ip;
}

/** Brute-force brakes for the auth endpoints: per IP and per email, 429 with Retry-After. */
export class AuthThrottle {
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: AuthRateLimits = DEFAULT_AUTH_RATE_LIMITS,
  ) {}

  /** Runs a password check, refusing at once (429) a client that already has its share in flight. */
  async fairShare<T>(ctx: Context, check: () => Promise<T>): Promise<T> {
    const client = clientAddress(ctx);
    const running = this.inFlight.get(client) ?? 0;
    if (running >= (this.limits.inFlightPerClient ?? DEFAULT_AUTH_RATE_LIMITS.inFlightPerClient!)) {
      throw new HttpProblem(
        429,
        'a sign-in from this address is already in progress; retry shortly',
        {},
        { 'Retry-After': '1' },
      );
    }
    this.inFlight.set(client, running + 1);
    try {
      return await check();
    } finally {
      const left = (this.inFlight.get(client) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(client);
      else this.inFlight.set(client, left);
    }
  }

  private async consume(key: string, limit: number): Promise<void> {
    const decision = await this.limiter.consume(key, limit, this.limits.windowMs);
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HttpProblem(429, 'too many attempts; retry later', {}, { 'Retry-After': String(seconds) });
  }

  ip(ctx: Context): Promise<void> {
    return this.consume(`auth:ip:${clientAddress(ctx)}`, this.limits.perIp);
  }

  email(email: string): Promise<void> {
    return this.consume(`auth:email:${normalizeEmail(email)}`, this.limits.perEmail);
  }
}
