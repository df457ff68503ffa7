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
} from '../core/domain/filters';
import { SORT_FIELDS } from '../core/domain/query';

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

const SORTS = SORT_FIELDS.flatMap((f) => [f, `-${f}`]);

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

/** Filters shared by the paginated list and list-all, each typed as its domain value. */
export const filterProperties = {
  ...(Object.fromEntries(FILTERS.map((f) => [f.param, Type.Unsafe(filterSchema(f))])) as {
    [K in FilterParam]-?: TUnsafe<NonNullable<AnimeFilter[K]>>;
  }),
  sort: Type.Unsafe<string>({
    type: 'string',
    enum: SORTS,
    default: 'id',
    description: 'Sort field, `-` prefix for descending; nulls last; ties by id',
  }),
};

const optional = <T extends Record<string, import('@sinclair/typebox').TSchema>>(props: T) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof T]: import('@sinclair/typebox').TOptional<T[K]>;
  };

export const ListAllQuery = Type.Object(optional(filterProperties), { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    ...optional(filterProperties),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Animes per page (1-1000)' }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Opaque; from `next`' })),
  },
  { additionalProperties: false },
);

export const AnimePageSchema = Type.Object({
  items: Type.Array(Type.Ref(AnimeSchema)),
  limit: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()], { description: 'URL of the next page, null on the last' }),
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
