import type { CacheStore } from '../../platform/core/ports/cache-store';

type Operation = Exclude<keyof CacheStore, 'close'>;

/**
 * A fault-injecting wrapper around any cache store (after bentocache's chaos driver): each
 * operation can be made to fail until told otherwise, and every call is counted.
 */
export class ChaosCacheStore implements CacheStore {
  private readonly failing = new Set<Operation>();
  readonly calls: Record<Operation, number> = {
    generations: 0,
    bump: 0,
    get: 0,
    set: 0,
    tryLock: 0,
    unlock: 0,
    size: 0,
  };

  constructor(private readonly inner: CacheStore) {}

  /** Makes the given operations (all, by default) throw as an unreachable store would. */
  fail(...operations: Operation[]): void {
    for (const op of operations.length ? operations : (Object.keys(this.calls) as Operation[])) {
      this.failing.add(op);
    }
  }

  heal(): void {
    this.failing.clear();
  }

  private run<T>(op: Operation, call: () => Promise<T>): Promise<T> {
    this.calls[op]++;
    if (this.failing.has(op)) return Promise.reject(new Error(`chaos: ${op} failed`));
    return call();
  }

  generations(tags: readonly string[]) {
    return this.run('generations', () => this.inner.generations(tags));
  }
  bump(tags: readonly string[]) {
    return this.run('bump', () => this.inner.bump(tags));
  }
  get(key: string) {
    return this.run('get', () => this.inner.get(key));
  }
  set(key: string, value: Buffer, ttlMs: number) {
    return this.run('set', () => this.inner.set(key, value, ttlMs));
  }
  tryLock(key: string, ttlMs: number) {
    return this.run('tryLock', () => this.inner.tryLock(key, ttlMs));
  }
  unlock(key: string, token: string) {
    return this.run('unlock', () => this.inner.unlock(key, token));
  }
  size() {
    return this.run('size', () => this.inner.size());
  }
  close() {
    return this.inner.close();
  }
}
