import type { Context } from 'koa';
import { normalizeEmail } from '../core/auth/accounts';
import type { RateLimiter } from '../core/ports/rate-limiter';
import { HttpProblem } from './problem';

export interface AuthRateLimits {
  /** @default 300000 (5 min) */
  readonly windowMs: number;
  /** Calls to /auth/* per client IP per window. @default 100 */
  readonly perIp: number;
  /** Sign-in and sign-up attempts per email per window. @default 10 */
  readonly perEmail: number;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimits = { windowMs: 300_000, perIp: 100, perEmail: 10 };

/** Brute-force brakes for the auth endpoints: per IP and per email, 429 with Retry-After. */
export class AuthThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: AuthRateLimits = DEFAULT_AUTH_RATE_LIMITS,
  ) {}

  private async consume(key: string, limit: number): Promise<void> {
    const decision = await this.limiter.consume(key, limit, this.limits.windowMs);
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HttpProblem(429, 'too many attempts; retry later', {}, { 'Retry-After': String(seconds) });
  }

  ip(ctx: Context): Promise<void> {
    return this.consume(`auth:ip:${ctx.ip}`, this.limits.perIp);
  }

  email(email: string): Promise<void> {
    return this.consume(`auth:email:${normalizeEmail(email)}`, this.limits.perEmail);
  }
}
