import { type TSchema, Type } from '@sinclair/typebox';
import { ANIME_COLUMNS, type TargetColumn } from './definition';

/**
 * Stored text carries no C0 or C1 control characters: a NUL in a title can never be found by a
 * search, and a text query refuses them anyway.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
const WITHOUT_CONTROL_CHARACTERS = new RegExp(NO_CONTROL_CHARACTERS);
/** The schema's own rule for stored text, so the normalizer and the validator never disagree. */
export const hasControlCharacter = (text: string): boolean => !WITHOUT_CONTROL_CHARACTERS.test(text);

/**
 * Required text and list items: the same, and not blank once trimmed (the normalizer trims with
 * String.prototype.trim, whose whitespace is the regex's \s), so the document refuses `" "` as the
 * server does. The lookahead is anchored and linear: no backtracking on long input.
 */
export const NON_BLANK_TEXT = '^(?=\\s*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$';

/** JSON Schema of one target column, derived from the definition. */
export function columnSchema(column: TargetColumn): TSchema {
  const { description, example } = column;
  let schema: TSchema;
  switch (column.kind) {
    case 'text':
      schema = Type.String({
        minLength: 1,
        maxLength: column.maxLength,
        pattern: column.pattern ?? (column.nullable ? NO_CONTROL_CHARACTERS : NON_BLANK_TEXT),
        description,
      });
      break;
    case 'enum':
      schema = Type.Unsafe<string>({ type: 'string', enum: [...column.values], description });
      break;
    case 'integer':
      schema = Type.Integer({ minimum: column.min, maximum: column.max, description });
      break;
    case 'decimal':
      schema = Type.Number({ minimum: column.min, maximum: column.max, description });
      break;
    case 'textList':
      schema = Type.Array(
        Type.String({ minLength: 1, maxLength: column.itemMaxLength, pattern: NON_BLANK_TEXT }),
        // No uniqueItems: the normalizer merges repeats (ignoring case), on every write path.
        { maxItems: column.maxItems, description },
      );
      break;
  }
  schema = { ...schema, example };
  return column.nullable ? Type.Union([schema, Type.Null()], { description, example }) : schema;
}

/** The shape of a record a loader or an admin writes: every definition column, all required. */
export const AnimeInputSchema = Type.Object(
  Object.fromEntries(ANIME_COLUMNS.map((c) => [c.field, columnSchema(c)])),
  { additionalProperties: false, $id: 'AnimeInput' },
);

type ValueOf<C extends TargetColumn> = C extends {
  readonly kind: 'enum';
  readonly values: readonly (infer V)[];
}
  ? V
  : C extends { readonly kind: 'text' }
    ? string
    : C extends { readonly kind: 'integer' | 'decimal' }
      ? number
      : string[];

type Column = (typeof ANIME_COLUMNS)[number];

/**
 * The record a loader or an admin writes, computed from the columns, so a column added to the
 * definition is a compile error wherever a record is built without it.
 */
export type AnimeInput = {
  -readonly [C in Column as C['field']]: C['nullable'] extends true ? ValueOf<C> | null : ValueOf<C>;
};
