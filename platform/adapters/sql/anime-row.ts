import { ANIME_COLUMNS, type TargetColumn } from '../../../catalogue/definition';
import type { Anime, AnimeInput } from '../../core/domain/anime';
import type { RowJsonMember } from './row-json';

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

const LIST_FLAGS = ANIME_COLUMNS.map((column) => column.kind === 'textList');
const FIELDS = ANIME_COLUMNS.map((column) => column.field);

/** Appends the values of RECORD_COLUMNS for a record to `target` (a bulk load's parameter list). */
export function pushRecordValues(target: unknown[], input: AnimeInput): unknown[] {
  const record: Readonly<Record<(typeof FIELDS)[number], unknown>> = input;
  for (let i = 0; i < FIELDS.length; i++) {
    const value = record[FIELDS[i]!] ?? null;
    target.push(LIST_FLAGS[i] ? JSON.stringify(value ?? []) : value);
  }
  return target;
}

/** The values of RECORD_COLUMNS for a record, in the same order. */
export function recordValues(input: AnimeInput): unknown[] {
  return pushRecordValues([], input);
}

/** How a stored value becomes the record's, per column kind (null stays null; a list defaults to []). */
function decoderFor(column: TargetColumn): (value: unknown) => unknown {
  switch (column.kind) {
    case 'textList':
      return (value) => (value === null || value === undefined ? [] : JSON.parse(String(value)));
    // DECIMAL may come back as text from some drivers; SQLite and tedious return numbers.
    case 'decimal':
    case 'integer':
      return (value) => (value === null || value === undefined ? null : Number(value));
    default:
      return (value) => (value === null || value === undefined ? null : String(value));
  }
}

// Decoders resolved once: a list-all decodes every row of the catalogue.
const DECODERS = ANIME_COLUMNS.map((column) => ({
  field: column.field,
  stored: storedColumn(column),
  decode: decoderFor(column),
}));

/** A row to the domain record; the drivers differ only in how timestamps come back. */
export function animeFromRow(row: AnimeRow, isoTimestamp: (value: unknown) => string): Anime {
  const anime: Record<string, unknown> = { id: Number(row.id) };
  for (const { field, stored, decode } of DECODERS) anime[field] = decode(row[stored]);
  anime.version = Number(row.version);
  anime.createdAt = isoTimestamp(row.created_at);
  anime.updatedAt = isoTimestamp(row.updated_at);
  // Assembled field by field from the definition, which is what Anime is derived from; the row
  // codec's tests hold the result to the type.
  return anime as unknown as Anime;
}

const JSON_KIND: Record<TargetColumn['kind'], RowJsonMember['kind']> = {
  textList: 'list',
  decimal: 'number',
  integer: 'number',
  text: 'text',
  enum: 'text',
};

/** Every member of the record as animeFromRow builds it, in its order. */
const RECORD_MEMBERS: readonly RowJsonMember[] = [
  { key: 'id', column: 'id', kind: 'number' },
  ...DECODERS.map(({ field, stored }, i) => ({
    key: field,
    column: stored,
    kind: JSON_KIND[ANIME_COLUMNS[i]!.kind],
  })),
  { key: 'version', column: 'version', kind: 'number' },
  { key: 'createdAt', column: 'created_at', kind: 'timestamp' },
  { key: 'updatedAt', column: 'updated_at', kind: 'timestamp' },
];
const MEMBER_BY_KEY = new Map(RECORD_MEMBERS.map((member) => [member.key, member]));

/**
 * How rows become the JSON of their records (row-json.cjs), with only `fields` in their order
 * when given, as the API's field selection writes them: the same bytes as JSON.stringify of
 * animeFromRow's record, without building it.
 */
export function animeJsonMembers(fields?: readonly string[]): readonly RowJsonMember[] {
  if (!fields) return RECORD_MEMBERS;
  return fields.map((field) => {
    const member = MEMBER_BY_KEY.get(field);
    if (!member) throw new Error(`no anime field ${JSON.stringify(field)}`);
    return member;
  });
}
