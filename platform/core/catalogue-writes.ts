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
    // The tags the repository recorded in the outbox with the change: computed once, in the write.
    if (this.cache && result.tags?.length) await this.cache.invalidate(result.tags, result.outboxId);
    return result;
  }

  async create(input: AnimeInput): Promise<Anime> {
    return (await this.settle(await this.repository.create(asStored(input), this.invalidates))).after!;
  }

  /** Full replacement; a missing `source` keeps the row's, read in the write's own transaction. */
  async update(id: number, input: AnimeReplacement, expectedVersion?: number): Promise<Anime | null> {
    const replacement = (current: Anime) => asStored({ ...input, source: input.source ?? current.source });
    return (
      await this.settle(await this.repository.update(id, replacement, expectedVersion, this.invalidates))
    ).after;
  }

  /**
   * Merges the given fields into the row as the write's transaction reads it, under its lock: a
   * patch without a precondition always applies (after whichever write came first), and one with
   * `expectedVersion` fails only if the row moved past it.
   */
  async patch(id: number, fields: Partial<AnimeInput>, expectedVersion?: number): Promise<Anime | null> {
    const merge = ({ id: _id, version: _v, createdAt: _c, updatedAt: _u, ...current }: Anime) =>
      asStored({ ...current, ...fields });
    return (await this.settle(await this.repository.update(id, merge, expectedVersion, this.invalidates)))
      .after;
  }

  async remove(id: number, expectedVersion?: number): Promise<boolean> {
    return (
      (await this.settle(await this.repository.remove(id, expectedVersion, this.invalidates))).before !== null
    );
  }
}
