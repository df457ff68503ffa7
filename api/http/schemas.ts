import { type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
// Text parameters refuse control characters too: `q=%00` would match every title and mint a new
// cache key per suffix.
import { AnimeInputSchema, columnSchema, NO_CONTROL_CHARACTERS } from '../../catalogue/schema';
import {
  type AnimeFilter,
  columnOf,
  FILTERS,
  type FilterDefinition,
  type FilterParam,
} from '../../platform/core/domain/filters';
import { SORT_FIELDS } from '../../platform/core/domain/query';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    'invalid-params': Type.Optional(Type.Array(Type.Object({ name: Type.String(), reason: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const AnimeSchema = Type.Composite(
  [
    Type.Omit(AnimeInputSchema, []),
    Type.Object({
      id: Type.Integer(),
      version: Type.Integer({ description: 'Incremented by every change; send it in If-Match' }),
      createdAt: Type.String({ format: 'date-time' }),
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ],
  { $id: 'Anime' },
);

const SORT_KEY = `-?(?:${SORT_FIELDS.join('|')})`;

/** Every field of an anime, id first: the columns of a CSV and the order `fields` are written in. */
export const ANIME_FIELDS: readonly string[] = [
  'id',
  ...Object.keys(AnimeSchema.properties).filter((field) => field !== 'id'),
];

/** The JSON Schema of one filter parameter, derived from the filter table and its column. */
function filterSchema(filter: FilterDefinition): TSchema {
  const column = columnOf(filter);
  const description = filter.description;
  switch (filter.kind) {
    case 'in': {
      if (column.kind === 'enum')
        return Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...column.values] }), {
          maxItems: column.values.length,
          description,
        });
      const { description: _, ...item } = columnSchema(column);
      return Type.Array(Type.Unsafe<string>(item), { maxItems: 10, description });
    }
    case 'allOf':
      return Type.Array(
        Type.String({
          minLength: 1,
          maxLength: column.kind === 'textList' ? column.itemMaxLength : 64,
          pattern: NO_CONTROL_CHARACTERS,
        }),
        { maxItems: 10, description },
      );
    case 'contains':
      return Type.String({ minLength: 1, maxLength: 200, pattern: NO_CONTROL_CHARACTERS, description });
    default: {
      const bounds =
        column.kind === 'integer' || column.kind === 'decimal'
          ? { minimum: column.min, maximum: column.max }
          : {};
      return column.kind === 'integer'
        ? Type.Integer({ ...bounds, description })
        : Type.Number({ ...bounds, description });
    }
  }
}

/** The catalogue filters (lists, facets and stats), each typed as its domain value. */
const filterProperties = Object.fromEntries(FILTERS.map((f) => [f.param, Type.Unsafe(filterSchema(f))])) as {
  [K in FilterParam]-?: TUnsafe<NonNullable<AnimeFilter[K]>>;
};

/** What the lists add to the filters: order, shape and format of the answer. */
const listProperties = {
  ...filterProperties,
  sort: Type.String({
    pattern: `^${SORT_KEY}(?:,${SORT_KEY}){0,${SORT_FIELDS.length - 1}}$`,
    default: 'id',
    description: `Sort keys, comma-separated, each \`-\` prefixed for descending (\`-score,title\`); each of ${SORT_FIELDS.join(', ')} at most once; nulls last; remaining ties by ascending id`,
  }),
  fields: Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...ANIME_FIELDS] }), {
    maxItems: ANIME_FIELDS.length,
    description: 'Only these fields of each anime (repeats or commas); `id` is always included',
  }),
  format: Type.Unsafe<'json' | 'csv'>({
    type: 'string',
    enum: ['json', 'csv'],
    description: 'csv: RFC 4180 text with a header row, the same as `Accept: text/csv`; json when absent',
  }),
};

const optional = <T extends Record<string, import('@sinclair/typebox').TSchema>>(props: T) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof T]: import('@sinclair/typebox').TOptional<T[K]>;
  };

export const FilterQuery = Type.Object(optional(filterProperties), { additionalProperties: false });

export const ListAllQuery = Type.Object(optional(listProperties), { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    ...optional(listProperties),
    count: Type.Optional(
      Type.Unsafe<'exact'>({
        type: 'string',
        enum: ['exact'],
        description: 'Also count every match (`total`); the same as `Prefer: count=exact`',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Animes per page (1-1000)' }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Opaque; from `next`' })),
  },
  { additionalProperties: false },
);

/** An anime cut to the fields a request selected (`fields`); id is always among them. */
export const AnimeFieldsSchema = Type.Composite(
  [Type.Partial(Type.Omit(AnimeSchema, ['id'])), Type.Object({ id: Type.Integer() })],
  { $id: 'AnimeFields', description: 'The fields named by `fields`, and id' },
);

/** A list item: the whole anime, or the fields selected. */
export const AnimeItemSchema = Type.Union([Type.Ref(AnimeSchema), Type.Ref(AnimeFieldsSchema)]);

export const AnimePageSchema = Type.Object({
  items: Type.Array(AnimeItemSchema),
  limit: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()], { description: 'URL of the next page, null on the last' }),
  total: Type.Optional(
    Type.Integer({ description: 'Every anime the filters match; only with `Prefer: count=exact`' }),
  ),
});

export const IdParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: "The anime's id (from a list, or a create's Location)" }),
});

export const FacetsSchema = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));

export const StatsSchema = Type.Object({
  total: Type.Integer(),
  averageScore: Type.Union([Type.Number(), Type.Null()]),
  byType: FacetsSchema,
  byYear: Type.Array(Type.Object({ year: Type.Union([Type.Integer(), Type.Null()]), count: Type.Integer() })),
});
