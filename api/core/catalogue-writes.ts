import { writeTags } from './cache/cache-keys';
import { type Anime, type AnimeInput, type AnimeReplacement, asStored } from './domain/anime';
import type { AnimeRepository, InvalidatedTags, WriteResult } from './ports/anime-repository';

/** What a write needs from the cache: invalidation after commit, of the outbox entry it recorded. */
export interface Invalidator {
  invalidate(tags: readonly string[], outboxId?: number): Promise<void>;
}

const invalidatedTags: InvalidatedTags = (result) => writeTags(result.before, result.after);

/**
 * The one write path of the API. Each write records its invalidation in the outbox in its own
 * transaction, then has the cache apply it, and only then returns: once a caller sees the
 * response, no read anywhere can be served from an entry that held the old row.
 */
export class CatalogueWrites {
  private readonly invalidates?: InvalidatedTags;

  /** Without a cache, writes record no invalidations. */
  constructor(
    private readonly repository: AnimeRepository,
    private readonly cache?: Invalidator,
  ) {
    this.invalidates = cache ? invalidatedTags : undefined;
  }

  private async settle(result: WriteResult): Promise<WriteResult> {
    if (this.cache && (result.before || result.after)) {
      await this.cache.invalidate(writeTags(result.before, result.after), result.outboxId);
    }
    return result;
  }

  async create(input: AnimeInput): Promise<Anime> {
    return (await this.settle(await this.repository.create(asStored(input), this.invalidates))).after!;
  }

  async update(id: number, input: AnimeReplacement, expectedVersion?: number): Promise<Anime | null> {
    const source = input.source ?? (await this.repository.getById(id))?.source;
    if (source === undefined) return null;
    const stored = asStored({ ...input, source });
    return (await this.settle(await this.repository.update(id, stored, expectedVersion, this.invalidates)))
      .after;
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
    return (
      (await this.settle(await this.repository.remove(id, expectedVersion, this.invalidates))).before !== null
    );
  }
}
