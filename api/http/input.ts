import type { TObject, TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { compileCoercingSchema, formatErrors } from '../../catalogue/validation';
import { badRequest } from './problem';

type RawQuery = Record<string, string | string[] | undefined>;

function enumOf(schema: TSchema | undefined): string[] | undefined {
  if (!schema) return undefined;
  if (Array.isArray(schema.enum)) return schema.enum as string[];
  if (schema.type === 'array') return enumOf(schema.items as TSchema);
  return undefined;
}

/**
 * Numbers in URLs have one spelling: decimal digits, no leading zeros, no `0x10`, `1e1` or `+5`
 * (Ajv's coercion, Number(), would read them all), so one resource or query is one URL and one
 * cache entry, and a typo is a 400, not a different row.
 */
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

function nonCanonicalNumbers(schema: TObject, input: Record<string, unknown>) {
  const properties = schema.properties as Record<string, TSchema>;
  return Object.entries(input).flatMap(([name, value]) => {
    const property = properties[name];
    const type = property?.type === 'array' ? (property.items as TSchema | undefined)?.type : property?.type;
    const spelling = type === 'integer' ? INTEGER : type === 'number' ? DECIMAL : undefined;
    if (!spelling) return [];
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    const bad = values.find((v) => !spelling.test(v));
    return bad === undefined
      ? []
      : [
          {
            name,
            reason: `must be written in decimal digits${type === 'number' ? ' (with an optional fraction)' : ''}, without leading zeros or exponents; got "${bad}"`,
          },
        ];
  });
}

/**
 * Query strings are text: list parameters accept repeats and commas (`type=TV,OVA`), enum values
 * match in any case, and Ajv coerces the rest. Unknown parameters fail validation.
 */
export function compileQueryParser<T>(schema: TObject): (raw: RawQuery) => T {
  const validate: ValidateFunction = compileCoercingSchema(schema);
  const properties = schema.properties as Record<string, TSchema>;
  return (raw) => {
    const input: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(raw)) {
      const property = properties[name];
      let values = Array.isArray(value) ? value : [value ?? ''];
      if (property?.type === 'array') values = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
      const allowed = enumOf(property);
      if (allowed) {
        values = values.map((v) => allowed.find((a) => a.toLowerCase() === v.toLowerCase()) ?? v);
      }
      input[name] = property?.type === 'array' ? values : values.length === 1 ? values[0] : values;
    }
    throwIfInvalid(validate, nonCanonicalNumbers(schema, input), input);
    return input as T;
  };
}

/** One 400 naming every bad parameter: the spelling problems, and the schema's for the others. */
function throwIfInvalid(
  validate: ValidateFunction,
  spelled: ReturnType<typeof nonCanonicalNumbers>,
  input: Record<string, unknown>,
): void {
  const valid = validate(input);
  if (valid && !spelled.length) return;
  const named = new Set(spelled.map((p) => p.name));
  const others = valid ? [] : formatErrors(validate.errors).filter((p) => !named.has(p.name.split('.')[0]!));
  throw badRequest([...spelled, ...others]);
}

/**
 * A JSON body's enum values in the declared spelling when they match in another case, as the query
 * string takes them (`type=ova` and `{"type": "ova"}` are both OVA); anything else is left for the
 * schema to refuse.
 */
export function compileBodyEnumSpelling(schema: TSchema): (body: unknown) => void {
  const enums = Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(
    ([name, property]) => {
      const allowed = enumOf(property);
      return allowed && property.type === 'string' ? [[name, allowed] as const] : [];
    },
  );
  return (body) => {
    if (!enums.length || typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const record = body as Record<string, unknown>;
    for (const [name, allowed] of enums) {
      const value = record[name];
      if (typeof value !== 'string') continue;
      record[name] = allowed.find((a) => a.toLowerCase() === value.toLowerCase()) ?? value;
    }
  };
}

export function compileParamsParser<T>(schema: TObject): (raw: Record<string, string>) => T {
  const validate: ValidateFunction = compileCoercingSchema(schema);
  return (raw) => {
    const input = { ...raw };
    throwIfInvalid(validate, nonCanonicalNumbers(schema, input), input);
    return input as T;
  };
}
