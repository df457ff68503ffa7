import type { Static } from '@sinclair/typebox';
import type { Context } from 'koa';
import { type AnimeFilter, columnOf, FILTERS, foldCase } from '../../../platform/core/domain/filters';
import { type AnimeSort, type SortField, type SortKey, sortText } from '../../../platform/core/domain/query';
import { preferredListType } from '../negotiation';
import { badRequest } from '../problem';
import { ANIME_FIELDS, type FilterQuery as FilterQuerySchema, type ListQuery } from '../schemas';

type FilterQuery = Static<typeof FilterQuerySchema>;
type ListParams = Static<typeof ListQuery>;

// Below any real distance between two scores on the stored scale; absorbs 7.13 * 100 = 713.0000000000001.
const EPSILON = 1e-9;

/**
 * One form for every query with the same result, so they share one cache entry, derived from the
 * filter table: `in` values de-duplicated and sorted; `allOf` values trimmed, ASCII-lower-cased
 * (the catalogue compares them as SQLite's NOCASE does), de-duplicated and sorted; bounds on a
 * decimal column moved onto its stored scale (`minScore=0.0000001` is `minScore=0.01`).
 */
export function canonicalFilterQuery<T extends FilterQuery>(query: T): T {
  const canonical: Record<string, unknown> = { ...query };
  for (const filter of FILTERS) {
    const value = canonical[filter.param];
    if (value === undefined) continue;
    const column = columnOf(filter);
    if (filter.kind === 'in') canonical[filter.param] = [...new Set(value as string[])].sort();
    if (filter.kind === 'allOf')
      canonical[filter.param] = [...new Set((value as string[]).map((v) => foldCase(v.trim())))].sort();
    if (column.kind === 'decimal' && (filter.kind === 'min' || filter.kind === 'max')) {
      const factor = 10 ** column.scale;
      const scaled = (value as number) * factor;
      canonical[filter.param] =
        (filter.kind === 'min' ? Math.ceil(scaled - EPSILON) : Math.floor(scaled + EPSILON)) / factor;
    }
  }
  return canonical as T;
}

/** The domain filter of a validated, canonical query (canonicalFilterQuery); rejects impossible ranges. */
export function toFilter(query: FilterQuery): AnimeFilter {
  const filter: Record<string, unknown> = {};
  for (const { param } of FILTERS) {
    const value = (query as Record<string, unknown>)[param];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) filter[param] = value;
  }
  const problems = FILTERS.filter((f) => f.kind === 'min' && filter[f.param] !== undefined).flatMap((min) => {
    const max = FILTERS.find((f) => f.kind === 'max' && f.field === min.field);
    const upper = max && filter[max.param];
    if (upper === undefined || (filter[min.param] as number) <= (upper as number)) return [];
    return [{ name: min.param, reason: `must not be greater than ${max!.param} (${upper})` }];
  });
  if (problems.length) throw badRequest(problems);
  return filter as AnimeFilter;
}

/**
 * The sort a validated `sort` names. A field named twice is refused; keys after id are dropped
 * (id leaves no ties to break), and so is a last ascending id (every sort ends in it anyway).
 */
export function toSort(sort: string | undefined): AnimeSort {
  const keys: SortKey[] = [];
  for (const part of (sort ?? 'id').split(',')) {
    const descending = part.startsWith('-');
    const field = (descending ? part.slice(1) : part) as SortField;
    if (keys.some((k) => k.field === field))
      throw badRequest([{ name: 'sort', reason: `names ${field} more than once` }]);
    keys.push({ field, descending });
    if (field === 'id') break;
  }
  const last = keys.at(-1)!;
  if (keys.length > 1 && last.field === 'id' && !last.descending) keys.pop();
  const [first, ...then] = keys;
  return then.length ? { ...first!, thenBy: then } : first!;
}

/**
 * The canonical form of a list query: its filters (canonicalFilterQuery), its sort as sortText
 * writes it, its fields with id and in the order they are written, and defaults left out, so
 * every spelling of one answer shares one cache entry.
 */
export function canonicalListQuery<T extends ListParams>(query: T): T {
  const canonical: ListParams = canonicalFilterQuery(query);
  if (canonical.sort !== undefined) canonical.sort = sortText(toSort(canonical.sort));
  if (canonical.fields !== undefined) {
    const chosen = new Set([...canonical.fields, 'id']);
    canonical.fields = ANIME_FIELDS.filter((f) => chosen.has(f));
    if (canonical.fields.length === ANIME_FIELDS.length) delete canonical.fields;
  }
  if (canonical.format === 'json') delete canonical.format;
  return canonical as T;
}

/** An anime cut to the fields a request selected (canonicalListQuery put them in order, id included). */
export function selectFields(fields: readonly string[] | undefined): (anime: object) => object {
  if (!fields) return (anime) => anime;
  return (anime) => {
    const selected: Record<string, unknown> = {};
    for (const field of fields) selected[field] = (anime as Record<string, unknown>)[field];
    return selected;
  };
}

/** `Prefer: count=exact` (RFC 7240, as PostgREST reads it) and a CSV Accept, as query parameters. */
export function listQueryFromHeaders(ctx: Context): Record<string, string> {
  const stated: Record<string, string> = {};
  if (/(?:^|[\s,;])count\s*=\s*"?exact"?(?:$|[\s,;])/i.test(ctx.get('Prefer'))) stated.count = 'exact';
  if (preferredListType(ctx.get('Accept')) === 'text/csv') stated.format = 'csv';
  return stated;
}
