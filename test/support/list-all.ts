import type { Anime } from '../../platform/core/domain/anime';
import type { AnimeFilter } from '../../platform/core/domain/filters';
import type { AnimeSort } from '../../platform/core/domain/query';
import type { AnimeRepository } from '../../platform/core/ports/anime-repository';

/**
 * Every match in order, as one array: how tests read a whole catalogue. The API serves a list-all
 * from streamAll, so the store has no array-returning read for tests alone.
 */
export async function listAll(
  repository: Pick<AnimeRepository, 'streamAll'>,
  filter: AnimeFilter,
  sort: AnimeSort,
): Promise<Anime[]> {
  const rows: Anime[] = [];
  for await (const chunk of repository.streamAll(filter, sort, 1000)) rows.push(...chunk);
  return rows;
}
