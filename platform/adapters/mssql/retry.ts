/**
 * Azure SQL's transient errors: the service is reconfiguring, throttling or failing over, and the
 * same request will likely succeed a moment later.
 * https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues
 */
export const TRANSIENT_ERROR_NUMBERS = new Set([
  4060, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929, 233, 64,
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEOUT', 'ESOCKET', 'ECONNCLOSED', 'ETIMEDOUT', 'EPIPE']);

/**
 * Whether `test` holds for the error or one it wraps. Reads tedious/mssql error shapes: `number` on
 * request errors, `code` on connection errors, nested `originalError` (or `cause`).
 */
function anyInChain(error: unknown, test: (e: Record<string, unknown>) => boolean): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    if (test(e)) return true;
    e = (e.originalError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/** SQL Server chose this transaction as a deadlock victim (error 1205) and rolled it back. */
export function isDeadlock(error: unknown): boolean {
  return anyInChain(error, (e) => e.number === 1205);
}

export function isTransient(error: unknown): boolean {
  return anyInChain(
    error,
    (e) =>
      (typeof e.number === 'number' && TRANSIENT_ERROR_NUMBERS.has(e.number)) ||
      (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)),
  );
}

export interface RetryPolicy {
  /** Which failures to retry. @default isTransient */
  readonly retryable?: (error: unknown) => boolean;
  /** @default 5 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** Stop retrying once this much time has passed since the first attempt. @default 30000 */
  readonly budgetMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Told before each wait: what failed, which attempt it was (1 = the first), how long it waits. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Full-jitter exponential backoff: attempt n waits a random time in [0, min(max, base * 2^n)). */
export function backoffDelay(attempt: number, policy: RetryPolicy = {}): number {
  const ceiling = Math.min(policy.maxDelayMs ?? 5000, (policy.baseDelayMs ?? 100) * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/**
 * Runs `operation`, retrying transient failures, bounded in attempts and in time. Only pass
 * operations that are safe to repeat: reads, and writes whose transaction never reached COMMIT.
 */
export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const maxAttempts = policy.maxAttempts ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delay = backoffDelay(attempt, policy);
      const outOfTime = now() - started + delay > (policy.budgetMs ?? 30_000);
      if (!(policy.retryable ?? isTransient)(error) || attempt + 1 >= maxAttempts || outOfTime) throw error;
      policy.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
