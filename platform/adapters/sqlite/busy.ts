import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { StoreBusyError } from '../../core/ports/store-busy-error';

function isBusy(error: unknown): boolean {
  return String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');
}

const FIRST_PAUSE_MS = 1;
const LONGEST_PAUSE_MS = 25;

/**
 * Writes that wait for SQLite's write lock without holding the event loop. SQLite's own busy_timeout
 * waits inside the synchronous call, so one write behind a bulk load froze every request of the
 * process; the connection therefore runs with busy_timeout 0 and a busy write is retried from a
 * timer, with jittered backoff, until `waitMs` has passed. Then the caller gets StoreBusyError (503).
 */
export class SqliteWriteLock {
  constructor(
    db: Database.Database,
    private readonly waitMs: number,
  ) {
    db.pragma('busy_timeout = 0');
  }

  async run<T>(write: () => T): Promise<T> {
    const deadline = performance.now() + this.waitMs;
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        return write();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (performance.now() + pause > deadline) {
          throw new StoreBusyError(
            'the catalogue is busy with another write, such as a bulk load; retry shortly',
          );
        }
      }
      await sleep(pause * (0.5 + Math.random()));
    }
  }
}
