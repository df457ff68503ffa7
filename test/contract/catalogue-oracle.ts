import type { Anime, AnimeInput } from '../../api/core/domain/anime';
import type { AnimeFilter, AnimeSort } from '../../api/core/domain/query';

/**
 * A plain in-memory model of what the store must return, written independently of any SQL.
 * Title comparison folds ASCII case only, as SQLite's NOCASE and LIKE do.
 */
const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function matchesFilter(anime: AnimeInput, filter: AnimeFilter): boolean {
  if (filter.types && !filter.types.includes(anime.type)) return false;
  if (filter.genres && !filter.genres.every((g) => anime.genres.some((x) => fold(x) === fold(g))))
    return false;
  if (filter.year !== undefined && anime.year !== filter.year) return false;
  if (filter.yearFrom !== undefined && (anime.year === null || anime.year < filter.yearFrom)) return false;
  if (filter.yearTo !== undefined && (anime.year === null || anime.year > filter.yearTo)) return false;
  if (filter.minScore !== undefined && (anime.score === null || anime.score < filter.minScore)) return false;
  if (filter.maxScore !== undefined && (anime.score === null || anime.score > filter.maxScore)) return false;
  if (filter.q !== undefined && !fold(anime.title).includes(fold(filter.q))) return false;
  return true;
}

export function compareBy(sort: AnimeSort): (a: Anime, b: Anime) => number {
  return (a, b) => {
    if (sort.field === 'id') return sort.descending ? b.id - a.id : a.id - b.id;
    const av = sort.field === 'title' ? fold(a.title) : a[sort.field];
    const bv = sort.field === 'title' ? fold(b.title) : b[sort.field];
    if (av === null || bv === null) {
      if (av === bv) return a.id - b.id;
      return av === null ? 1 : -1;
    }
    if (av !== bv) return (av < bv ? -1 : 1) * (sort.descending ? -1 : 1);
    return a.id - b.id;
  };
}

export function expectedList(all: Anime[], filter: AnimeFilter, sort: AnimeSort): Anime[] {
  return all.filter((a) => matchesFilter(a, filter)).sort(compareBy(sort));
}
