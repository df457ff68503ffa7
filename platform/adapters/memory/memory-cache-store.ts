import { randomUUID } from 'node:crypto';
import type { CacheStore } from '../../core/ports/cache-store';

interface Entry {
  value: Buffer;
  expiresAt: number;
}

/**
 * The embedded default: one process, bounded by bytes, least recently used out first. Fine for a
 * single instance; several instances need the Redis adapter to share generations.
 */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly gens = new Map<string, number>();
  private readonly locks = new Map<string, { token: string; expiresAt: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  async generations(tags: readonly string[]): Promise<number[]> {
    return tags.map((tag) => this.gens.get(tag) ?? 0);
  }

  async bump(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.gens.set(tag, (this.gens.get(tag) ?? 0) + 1);
  }

  async get(key: string): Promise<Buffer | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) {
      this.bytes -= entry.value.length;
      return null;
    }
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    if (value.length > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.value.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    this.bytes += value.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.value.length;
    }
  }

  async tryLock(key: string, ttlMs: number): Promise<string | null> {
    const held = this.locks.get(key);
    if (held && held.expiresAt > Date.now()) return null;
    const token = randomUUID();
    this.locks.set(key, { token, expiresAt: Date.now() + ttlMs });
    return token;
  }

  async unlock(key: string, token: string): Promise<void> {
    if (this.locks.get(key)?.token === token) this.locks.delete(key);
  }

  async size() {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
