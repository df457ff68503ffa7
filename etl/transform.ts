import { compileSchema, formatErrors } from '../api/core/validation';
import {
  ANIME_COLUMNS,
  type FieldMapping,
  type MappingProfile,
  type TargetColumn,
} from '../pipelines/ingest/definition';
import { type AnimeInput, AnimeInputSchema } from '../pipelines/ingest/schema';
import { parseDelimitedList, parsePythonList } from './list-cells';

export type RowOutcome = { ok: true; record: AnimeInput } | { ok: false; reasons: string[] };

const validateRecord = compileSchema<AnimeInput>(AnimeInputSchema);
const INTEGER = /^[+-]?\d+(\.0+)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

type CellResult = { value: unknown } | { reason: string };

function convertCell(
  column: TargetColumn,
  mapping: FieldMapping | undefined,
  raw: string | undefined,
): CellResult {
  const name = column.field;
  const text = (raw ?? '').trim();
  if (column.kind === 'textList') {
    if (!mapping || text === '' || mapping.nullTokens?.includes(text)) return { value: [] };
    const items =
      mapping.list?.format === 'delimited'
        ? parseDelimitedList(text, mapping.list.separator)
        : parsePythonList(text);
    if (!items) return { reason: `${name} "${text}" is not a list literal like ['Action', 'Drama']` };
    return { value: [...new Set(items.map((item) => item.trim()).filter(Boolean))] };
  }
  if (!mapping || mapping.nullTokens?.includes(text) || text === '') {
    return column.nullable ? { value: null } : { reason: `${name} is empty` };
  }
  switch (column.kind) {
    case 'text':
      return { value: text };
    case 'enum': {
      const upper = text.toUpperCase();
      const value = mapping.synonyms?.[upper] ?? upper;
      return column.values.includes(value)
        ? { value }
        : { reason: `${name} "${text}" is not one of ${column.values.join(', ')}` };
    }
    case 'integer':
      return INTEGER.test(text)
        ? { value: Number.parseInt(text, 10) }
        : { reason: `${name} "${text}" is not an integer` };
    case 'decimal': {
      if (!DECIMAL.test(text)) return { reason: `${name} "${text}" is not a number` };
      const factor = 10 ** column.scale;
      return { value: Math.round(Number(text) * factor) / factor };
    }
  }
}

/** Turns one source row into a target record, or into every reason it cannot be one. */
export function createRowTransformer(profile: MappingProfile): (row: Record<string, string>) => RowOutcome {
  const plan = ANIME_COLUMNS.map((column) => ({ column, mapping: profile.fields[column.field] }));
  return (row) => {
    const record: Record<string, unknown> = {};
    const reasons: string[] = [];
    for (const { column, mapping } of plan) {
      const result = convertCell(column, mapping, mapping ? row[mapping.from] : undefined);
      if ('reason' in result) reasons.push(result.reason);
      else record[column.field] = result.value;
    }
    if (reasons.length === 0 && !validateRecord(record)) {
      for (const e of formatErrors(validateRecord.errors)) reasons.push(`${e.name} ${e.reason}`);
    }
    return reasons.length ? { ok: false, reasons } : { ok: true, record: record as unknown as AnimeInput };
  };
}
