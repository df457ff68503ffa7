import { StoreBusyError } from '../../core/ports/store-busy-error';

/** Runs a write, turning SQLite's "database is locked" (after busy_timeout) into the core's retryable error. */
export function failFastWhenBusy<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) {
      throw new StoreBusyError(
        'the catalogue is busy with another write, such as a bulk load; retry shortly',
      );
    }
    throw error;
  }
}
