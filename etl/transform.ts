import {
  ANIME_COLUMNS,
  type FieldMapping,
  type MappedField,
  type MappingProfile,
  SOURCE_FIELD,
  synonymLookup,
  type TargetColumn,
} from '../catalogue/definition';
import { normalizeRecord, trimText } from '../catalogue/normalize';
import { type AnimeInput, AnimeInputSchema } from '../catalogue/schema';
import { compileSchema, formatErrors } from '../catalogue/validation';
import { parseDelimitedList, parsePythonList } from './list-cells';

export type RowOutcome = { ok: true; record: AnimeInput } | { ok: false; reasons: string[] };

const validateRecord = compileSchema<AnimeInput>(AnimeInputSchema);
const INTEGER = /^[+-]?\d+(\.0+)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Returned by a converter instead of a value: the cell cannot become one. */
class Rejection {
  constructor(readonly reason: string) {}
}

type CellConverter = (text: string) => unknown;

/**
 * One converter per target column, built once per load: the per-row work is a trim, a null-token
 * check and the column's own parse, with no per-cell allocation on the happy path.
 */
function cellConverter(column: TargetColumn, mapping: FieldMapping | undefined): CellConverter {
  const name = column.field;
  const nullTokens = new Set(mapping?.nullTokens ?? []);
  nullTokens.add('');
  if (column.kind === 'textList') {
    if (!mapping) return () => [];
    const parseList =
      mapping.list?.format === 'delimited'
        ? (text: string) => parseDelimitedList(text, (mapping.list as { separator: string }).separator)
        : parsePythonList;
    return (text) => {
      if (nullTokens.has(text)) return [];
      const items = parseList(text);
      if (!items) return new Rejection(`${name} "${text}" is not a list literal like ['Action', 'Drama']`);
      const unique: string[] = [];
      for (const item of items) {
        const trimmed = item.trim();
        if (trimmed && !unique.includes(trimmed)) unique.push(trimmed);
      }
      return unique;
    };
  }
  const missing = column.nullable ? null : new Rejection(`${name} is empty`);
  if (!mapping) return () => missing;
  const parse = valueParser(column, mapping);
  return (text) => (nullTokens.has(text) ? missing : parse(text));
}

function valueParser(
  column: Exclude<TargetColumn, { kind: 'textList' }>,
  mapping: FieldMapping,
): CellConverter {
  const name = column.field;
  switch (column.kind) {
    case 'text':
      return (text) => text;
    case 'enum': {
      const allowed = new Set(column.values);
      const synonyms = synonymLookup(mapping);
      return (text) => {
        const upper = text.toUpperCase();
        const value = synonyms.get(upper) ?? upper;
        return allowed.has(value)
          ? value
          : new Rejection(`${name} "${text}" is not one of ${column.values.join(', ')}`);
      };
    }
    case 'integer':
      return (text) =>
        INTEGER.test(text) ? Number.parseInt(text, 10) : new Rejection(`${name} "${text}" is not an integer`);
    // Rounded to the stored scale by normalizeRecord, as on every write path.
    case 'decimal':
      return (text) =>
        DECIMAL.test(text) ? Number(text) : new Rejection(`${name} "${text}" is not a number`);
  }
}

/**
 * Turns the cells of one source row (in `header` order) into a target record, or into every reason
 * it cannot be one. Conversion follows the profile; the record is then checked against the schema
 * derived from the same definition (lengths, ranges, list limits).
 */
export function createCellsTransformer(
  profile: MappingProfile,
  header: readonly string[],
): (cells: readonly string[]) => RowOutcome {
  const plan = ANIME_COLUMNS.map((column) => {
    if (column.field === SOURCE_FIELD)
      return { field: column.field, index: -1, convert: (): unknown => profile.source };
    const mapping = profile.fields[column.field as MappedField];
    return {
      field: column.field,
      index: mapping ? header.indexOf(mapping.from) : -1,
      convert: cellConverter(column, mapping),
    };
  });
  return (cells) => {
    const record: Record<string, unknown> = {};
    const reasons: string[] = [];
    for (const { field, index, convert } of plan) {
      const value = convert(index < 0 ? '' : trimText(cells[index] ?? ''));
      if (value instanceof Rejection) reasons.push(value.reason);
      else record[field] = value;
    }
    if (reasons.length) return { ok: false, reasons };
    // Every definition field was set by the plan (or a rejection returned above); the normalizer
    // then checks each value, so the record is an AnimeInput by construction.
    const normalized = normalizeRecord(record as unknown as AnimeInput);
    for (const problem of normalized.problems) reasons.push(`${problem.field} ${problem.reason}`);
    if (reasons.length === 0 && !validateRecord(normalized.record)) {
      for (const e of formatErrors(validateRecord.errors)) reasons.push(`${e.name} ${e.reason}`);
    }
    return reasons.length ? { ok: false, reasons } : { ok: true, record: normalized.record };
  };
}

/** The same transformation for a row keyed by source column name. */
export function createRowTransformer(profile: MappingProfile): (row: Record<string, string>) => RowOutcome {
  const header = Object.values(profile.fields).map((mapping: FieldMapping) => mapping.from);
  const transform = createCellsTransformer(profile, header);
  return (row) => transform(header.map((column) => row[column] ?? ''));
}
