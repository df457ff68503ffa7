import { listTables } from '../../../catalogue/ddl';
import { columnFor } from '../../../catalogue/definition';
import { type AnimeFilter, columnOf, FILTERS, type FilterDefinition } from '../../core/domain/filters';
import {
  type AnimeSort,
  type SeekPosition,
  type SortKey,
  type SortValue,
  sortKeys,
} from '../../core/domain/query';
import type { SqlDialectRules } from './dialect';

/** One predicate per value the filter carries, derived from the filter table. */
function predicates(filter: FilterDefinition, value: unknown, rules: SqlDialectRules): string[] {
  const column = columnOf(filter);
  const expr = `a.${column.column}`;
  switch (filter.kind) {
    case 'in':
      return [`${expr} IN (${(value as unknown[]).map((v) => rules.bind(v)).join(', ')})`];
    case 'allOf': {
      const { lookup, link, itemKey } = listTables(column);
      return (value as unknown[]).map(
        (item) =>
          `EXISTS (SELECT 1 FROM ${link} ag JOIN ${lookup} g ON g.id = ag.${itemKey} WHERE ag.anime_id = a.id AND g.name = ${rules.bind(item)})`,
      );
    }
    case 'equals':
      return [`${expr} = ${rules.bind(value)}`];
    case 'min':
      return [`${expr} >= ${rules.bind(value)}`];
    case 'max':
      return [`${expr} <= ${rules.bind(value)}`];
    case 'contains':
      return [
        rules.contains(
          [column.column, ...(filter.orFields ?? []).map((field) => columnFor(field).column)],
          String(value),
        ),
      ];
  }
}

export function whereClause(filter: AnimeFilter, rules: SqlDialectRules): string[] {
  return FILTERS.flatMap((definition) => {
    const value = filter[definition.param];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return [];
    return predicates(definition, value, rules);
  });
}

function sortExpr(key: SortKey, rules: SqlDialectRules): string {
  return key.field === 'title' ? rules.titleExpr : `a.${key.field}`;
}

const NULLABLE_SORTS = new Set(['score', 'year']);

/** Each key in its direction with nulls last; ties by ascending id unless id is a key. */
export function orderBy(sort: AnimeSort, rules: SqlDialectRules): string {
  return sortKeys(sort)
    .map((key) => {
      const dir = key.descending ? 'DESC' : 'ASC';
      if (key.field === 'id') return `a.id ${dir}`;
      const nullsLast = NULLABLE_SORTS.has(key.field) ? `${rules.nullsLastKey(key.field)} ASC, ` : '';
      return `${nullsLast}${sortExpr(key, rules)} ${dir}`;
    })
    .join(', ');
}

/**
 * Rows strictly after `after` in the order given by `orderBy`: lexicographic over the keys, each
 * one either beyond the position's value (a null is beyond every value) or equal to it and the
 * rest after. Placeholders may be positional, so values are bound in the order they appear.
 */
export function seekPredicate(sort: AnimeSort, after: SeekPosition, rules: SqlDialectRules): string {
  const keys = sortKeys(sort);
  const values: SortValue[] = [after.value, ...(after.thenBy ?? [])];
  if (values.length < keys.length) values.push(after.id);
  const from = (i: number): string => {
    const key = keys[i]!;
    const value = values[i]!;
    const cmp = key.descending ? '<' : '>';
    // id is unique, so it is always the last key.
    if (key.field === 'id') return `a.id ${cmp} ${rules.bind(value)}`;
    const expr = sortExpr(key, rules);
    if (value === null) return `(${expr} IS NULL AND ${from(i + 1)})`;
    const laterNulls = NULLABLE_SORTS.has(key.field) ? `${expr} IS NULL OR ` : '';
    return `(${laterNulls}${expr} ${cmp} ${rules.bind(value)} OR (${expr} = ${rules.bind(value)} AND ${from(i + 1)}))`;
  };
  return from(0);
}
