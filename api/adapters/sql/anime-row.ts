import { ANIME_COLUMNS, type TargetColumn } from '../../../catalogue/definition';
import type { Anime, AnimeInput } from '../../core/domain/anime';

/** The SQL column that stores a definition column: a list is kept as JSON beside its link table. */
export function storedColumn(column: TargetColumn): string {
  return column.kind === 'textList' ? `${column.column}_json` : column.column;
}

/** The stored columns of a record, in definition order: what every INSERT and UPDATE writes. */
export const RECORD_COLUMNS: readonly string[] = ANIME_COLUMNS.map(storedColumn);

/** The `animes` columns every catalogue read selects (alias `a`). */
export const ANIME_ROW_COLUMNS = ['id', ...RECORD_COLUMNS, 'version', 'created_at', 'updated_at']
  .map((name) => `a.${name}`)
  .join(', ');

/** An `animes` row as a driver returns it. */
export type AnimeRow = Readonly<Record<string, unknown>>;

/** The values of RECORD_COLUMNS for a record, in the same order. */
export function recordValues(input: AnimeInput): unknown[] {
  return ANIME_COLUMNS.map((column) => {
    const value = (input as Record<string, unknown>)[column.field] ?? null;
    return column.kind === 'textList' ? JSON.stringify(value ?? []) : value;
  });
}

function decodeValue(column: TargetColumn, value: unknown): unknown {
  if (value === null || value === undefined) return column.kind === 'textList' ? [] : null;
  switch (column.kind) {
    case 'textList':
      return JSON.parse(String(value));
    // DECIMAL may come back as text from some drivers; SQLite and tedious return numbers.
    case 'decimal':
    case 'integer':
      return Number(value);
    default:
      return String(value);
  }
}

/** A row to the domain record; the drivers differ only in how timestamps come back. */
export function animeFromRow(row: AnimeRow, isoTimestamp: (value: unknown) => string): Anime {
  const record = Object.fromEntries(
    ANIME_COLUMNS.map((column) => [column.field, decodeValue(column, row[storedColumn(column)])]),
  ) as unknown as AnimeInput;
  return {
    id: Number(row.id),
    ...record,
    version: Number(row.version),
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
