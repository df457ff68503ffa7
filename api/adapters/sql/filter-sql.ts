import type { AnimeFilter, AnimeSort, SeekPosition } from '../../core/domain/query';

/**
 * WHERE / ORDER BY / seek fragments for the catalogue, shared by the SQL dialects. Values never
 * enter the SQL text: each one becomes a placeholder made by `bind`, so user input cannot change
 * the statement.
 */
export interface SqlDialectRules {
  /** Adds a parameter and returns its placeholder (`?` or `@p3`). */
  bind(value: unknown): string;
  /** Expression that orders and compares titles case-insensitively. */
  titleExpr: string;
  /** `expr` contains `text` literally (LIKE with the dialect's own escaping of %, _ and [). */
  contains(expr: string, text: string): string;
  /** 1 when the expression is NULL, else 0. */
  isNull(expr: string): string;
}

export function whereClause(filter: AnimeFilter, rules: SqlDialectRules): string[] {
  const where: string[] = [];
  if (filter.types?.length) where.push(`a.type IN (${filter.types.map((t) => rules.bind(t)).join(', ')})`);
  for (const genre of filter.genres ?? []) {
    where.push(
      `EXISTS (SELECT 1 FROM anime_genres ag JOIN genres g ON g.id = ag.genre_id WHERE ag.anime_id = a.id AND g.name = ${rules.bind(genre)})`,
    );
  }
  if (filter.year !== undefined) where.push(`a.year = ${rules.bind(filter.year)}`);
  if (filter.yearFrom !== undefined) where.push(`a.year >= ${rules.bind(filter.yearFrom)}`);
  if (filter.yearTo !== undefined) where.push(`a.year <= ${rules.bind(filter.yearTo)}`);
  if (filter.minScore !== undefined) where.push(`a.score >= ${rules.bind(filter.minScore)}`);
  if (filter.maxScore !== undefined) where.push(`a.score <= ${rules.bind(filter.maxScore)}`);
  if (filter.q) where.push(rules.contains('a.title', filter.q));
  return where;
}

function sortExpr(sort: AnimeSort, rules: SqlDialectRules): string {
  return sort.field === 'title' ? rules.titleExpr : `a.${sort.field}`;
}

const NULLABLE_SORTS = new Set(['score', 'year']);

/** Nulls last in both directions; ties by ascending id. */
export function orderBy(sort: AnimeSort, rules: SqlDialectRules): string {
  const dir = sort.descending ? 'DESC' : 'ASC';
  if (sort.field === 'id') return `a.id ${dir}`;
  const expr = sortExpr(sort, rules);
  const nullsLast = NULLABLE_SORTS.has(sort.field) ? `${rules.isNull(expr)} ASC, ` : '';
  return `${nullsLast}${expr} ${dir}, a.id ASC`;
}

/** Rows strictly after `after` in the order given by `orderBy`. */
export function seekPredicate(sort: AnimeSort, after: SeekPosition, rules: SqlDialectRules): string {
  const cmp = sort.descending ? '<' : '>';
  if (sort.field === 'id') return `a.id ${cmp} ${rules.bind(after.id)}`;
  const expr = sortExpr(sort, rules);
  // Placeholders may be positional, so values are bound in the order they appear in the text.
  if (after.value === null) return `(${expr} IS NULL AND a.id > ${rules.bind(after.id)})`;
  const laterNulls = NULLABLE_SORTS.has(sort.field) ? `${expr} IS NULL OR ` : '';
  const beyond = `${laterNulls}${expr} ${cmp} ${rules.bind(after.value)}`;
  const tie = `${expr} = ${rules.bind(after.value)} AND a.id > ${rules.bind(after.id)}`;
  return `(${beyond} OR (${tie}))`;
}
