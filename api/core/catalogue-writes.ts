import { writeTags } from './cache/cache-keys';
import type { Anime, AnimeInput } from './domain/anime';
import type { AnimeRepository, WriteResult } from './ports/anime-repository';

/** What a write needs from the cache: invalidation after commit. */
export interface Invalidator {
  invalidate(tags: readonly string[]): Promise<void>;
}

/**
 * The one write path of the API. Each write commits first, then bumps the generations of every tag
 * the old and new row match, and only then returns: once a caller sees the response, no read
 * anywhere can be served from an entry that held the old row.
 */
export class CatalogueWrites {
  constructor(
    private readonly repository: AnimeRepository,
    private readonly cache: Invalidator,
  ) {}

  private async settle(result: WriteResult): Promise<WriteResult> {
    if (result.before || result.after) await this.cache.invalidate(writeTags(result.before, result.after));
    return result;
  }

  async create(input: AnimeInput): Promise<Anime> {
    return (await this.settle(await this.repository.create(input))).after!;
  }

  async update(id: number, input: AnimeInput, expectedVersion?: number): Promise<Anime | null> {
    return (await this.settle(await this.repository.update(id, input, expectedVersion))).after;
  }

  /**
   * Merges the given fields into the current row. Without an explicit version the merge is still
   * conditioned on the version it read, so a concurrent change is never silently overwritten.
   */
  async patch(id: number, fields: Partial<AnimeInput>, expectedVersion?: number): Promise<Anime | null> {
    const current = await this.repository.getById(id);
    if (!current) return null;
    const { id: _id, version, createdAt: _c, updatedAt: _u, ...input } = current;
    return this.update(id, { ...input, ...fields }, expectedVersion ?? version);
  }

  async remove(id: number, expectedVersion?: number): Promise<boolean> {
    return (await this.settle(await this.repository.remove(id, expectedVersion))).before !== null;
  }
}
