import { withRetry } from './retry';

/**
 * A connection refused by the SQL firewall right after the rule letting this client in was made.
 * Azure documents server-level rule changes as taking up to about five minutes to apply, so a
 * deploy step that connects the moment it creates its rule waits for it, bounded, and says so.
 */

/** SQL error 40615: "Cannot open server ... Client with IP address ... is not allowed to access the server." */
const FIREWALL_REFUSED = 40615;

export interface FirewallWait {
  /** How long to keep trying. @default 6 minutes (the documented propagation, plus a margin) */
  readonly deadlineMs?: number;
  /** The first pause; each doubles, up to `maxDelayMs`. @default 5 s */
  readonly firstDelayMs?: number;
  /** @default 30 s */
  readonly maxDelayMs?: number;
  readonly log?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Whether an mssql/tedious error is the firewall refusing this client (not yet applied rule). */
export function isFirewallRefusal(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as {
      number?: number;
      info?: { number?: number };
      message?: string;
      originalError?: unknown;
      cause?: unknown;
    };
    if (e.number === FIREWALL_REFUSED || e.info?.number === FIREWALL_REFUSED) return true;
    if (typeof e.message === 'string' && /is not allowed to access the server/i.test(e.message)) return true;
    current = e.originalError ?? e.cause;
  }
  return false;
}

/** Runs `connect`, retrying with a doubling pause while the firewall refuses, until the deadline. */
export async function connectWhenFirewallAllows<T>(
  connect: () => Promise<T>,
  options: FirewallWait = {},
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? 6 * 60_000;
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;
  const started = now();
  let attempts = 1;
  try {
    return await withRetry(connect, {
      retryable: isFirewallRefusal,
      maxAttempts: Number.POSITIVE_INFINITY,
      budgetMs: deadlineMs,
      baseDelayMs: options.firstDelayMs ?? 5_000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      // No jitter: one runner waits for one rule, nothing to spread out.
      random: () => 1,
      sleep: options.sleep,
      now,
      onRetry: (_error, attempt, delay) => {
        attempts = attempt + 1;
        log(
          `waiting for the SQL firewall rule to apply (error ${FIREWALL_REFUSED}; Azure takes up to about five minutes): attempt ${attempt}, retrying in ${Math.round(delay / 1000)} s, ${Math.round((now() - started) / 1000)} of ${Math.round(deadlineMs / 1000)} s used`,
        );
      },
    });
  } catch (error) {
    if (!isFirewallRefusal(error)) throw error;
    throw new Error(
      `the SQL firewall still refuses this client after ${Math.round((now() - started) / 1000)} s (${attempts} attempts): is the rule for this address in place?`,
      { cause: error },
    );
  }
}
