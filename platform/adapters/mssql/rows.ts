/** A DATETIME2 as tedious returns it (a Date) to ISO-8601; text is parsed first. */
export const isoTimestamp = (value: unknown): string =>
  (value instanceof Date ? value : new Date(String(value))).toISOString();

/** Duplicate key (unique index 2601, unique constraint 2627). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { number?: number; originalError?: unknown } | undefined, d = 0; e && d < 3; d++) {
    if (e.number === 2601 || e.number === 2627) return true;
    e = e.originalError as typeof e;
  }
  return false;
}
