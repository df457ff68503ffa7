import type { Anime } from '../../api/core/domain/anime';
import type { AnimeFilter } from '../../api/core/domain/filters';
import type { AnimeSort } from '../../api/core/domain/query';
import type { AnimeRepository } from '../../api/core/ports/anime-repository';

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
