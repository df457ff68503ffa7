/** A UNIQUE constraint refused the write (better-sqlite3 error code). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
