import { randomUUID } from 'node:crypto';
import { type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import {
  ANIME_COLUMNS,
  API_SOURCE,
  columnFor,
  SOURCE_FIELD,
  SOURCE_ID_FIELD,
} from '../../../catalogue/definition';
import { AnimeInputSchema, columnSchema } from '../../../catalogue/schema';
import type { CatalogueWrites } from '../../../platform/core/catalogue-writes';
import type { AnimeInput, AnimeReplacement } from '../../../platform/core/domain/anime';
import { expectedVersion } from '../preconditions';
import { notFound } from '../problem';
import { recordEtag } from '../record-etag';
import { defineRoute } from '../route';
import { AnimeSchema, IdParams } from '../schemas';

const source = columnSchema(columnFor(SOURCE_FIELD));
const recordFields = AnimeInputSchema.properties;
// The ingest definition's schema, typed as the record it validates; a create without a source
// lands in the API's own namespace, a replacement without one keeps the row's.
// A create may leave out what has an obvious value: nullable fields are null, lists empty, and the
// source id (the id in the API's own namespace) a new UUID.
const createFields = Object.fromEntries(
  ANIME_COLUMNS.map((column) => {
    const schema = recordFields[column.field] as TSchema;
    if (column.field === SOURCE_ID_FIELD)
      return [
        column.field,
        Type.Optional(
          Type.Unsafe({ ...schema, description: `${schema.description ?? ''} Omitted: a new UUID.`.trim() }),
        ),
      ];
    if (column.kind === 'textList')
      return [column.field, Type.Optional(Type.Unsafe({ ...schema, default: [] }))];
    if (column.nullable) return [column.field, Type.Optional(Type.Unsafe({ ...schema, default: null }))];
    return [column.field, schema];
  }),
);
// The write schemas are built from the definition at run time, so TypeBox cannot compute their
// static types; the casts name the type the definition derives, which the validators enforce.
const AnimeBody = Type.Object(
  { ...createFields, source: Type.Optional(Type.Unsafe<string>({ ...source, default: API_SOURCE })) },
  { additionalProperties: false },
) as unknown as TUnsafe<Omit<AnimeInput, typeof SOURCE_ID_FIELD> & { sourceId?: string }>;
const AnimeReplacementBody = Type.Object(
  {
    ...recordFields,
    source: Type.Optional(
      Type.Unsafe<string>({ ...source, description: `${source.description} Omitted: unchanged.` }),
    ),
  },
  { additionalProperties: false },
) as unknown as TUnsafe<AnimeReplacement>;
const AnimePatch = Type.Partial(Type.Object(AnimeInputSchema.properties, { additionalProperties: false }), {
  minProperties: 1,
  additionalProperties: false,
}) as unknown as TUnsafe<Partial<AnimeInput>>;

const missing = (id: number) => notFound(`no anime with id ${id}`);

/** Admin-only writes. Each one commits, then invalidates the cache, then answers. */
export function animeWriteRoutes(writes: CatalogueWrites) {
  const common = { tags: ['animes'], access: 'admin' as const };
  // Writes answer with the record's validator; writes to an existing record are conditional on it.
  const tagged = { etag: recordEtag } as const;
  const conditional = { ...tagged, ifMatch: true } as const;
  return [
    defineRoute({
      ...common,
      method: 'post',
      path: '/animes',
      operationId: 'createAnime',
      ...tagged,
      summary: 'Add an anime',
      description:
        "Admin only. title and type are required; nullable fields default to null, genres to [], the source to api and the source id to a new UUID. Answers with Location and the record's ETag; 409 when (source, sourceId) exists.",
      body: AnimeBody,
      response: { status: 201, schema: Type.Ref(AnimeSchema), description: 'Created' },
      problems: [409],
      handler: async ({ body }, ctx) => {
        const anime = await writes.create({ ...body, sourceId: body.sourceId ?? randomUUID() } as AnimeInput);
        ctx.set('Location', `/animes/${anime.id}`);
        return anime;
      },
    }),
    defineRoute({
      ...common,
      method: 'put',
      path: '/animes/:id',
      operationId: 'replaceAnime',
      ...conditional,
      summary: 'Replace an anime (If-Match: its ETag)',
      description:
        'Admin only. Every field is replaced; a source left out stays as stored. With If-Match (the ETag from a GET or a write), a record changed since is 412.',
      params: IdParams,
      body: AnimeReplacementBody,
      response: { status: 200, schema: Type.Ref(AnimeSchema), description: 'Replaced' },
      problems: [404, 409, 412],
      handler: async ({ params, body }, ctx) => {
        const replaced = await writes.update(params.id, body, expectedVersion(ctx, params.id));
        if (!replaced) throw missing(params.id);
        return replaced;
      },
    }),
    defineRoute({
      ...common,
      method: 'patch',
      path: '/animes/:id',
      operationId: 'updateAnime',
      ...conditional,
      summary: 'Change some fields of an anime (If-Match: its ETag)',
      description:
        'Admin only. Only the fields sent change. With If-Match (the ETag from a GET or a write), a record changed since is 412.',
      params: IdParams,
      body: AnimePatch,
      response: { status: 200, schema: Type.Ref(AnimeSchema), description: 'Updated' },
      problems: [404, 409, 412],
      handler: async ({ params, body }, ctx) => {
        const updated = await writes.patch(params.id, body, expectedVersion(ctx, params.id));
        if (!updated) throw missing(params.id);
        return updated;
      },
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/animes/:id',
      operationId: 'deleteAnime',
      ifMatch: true,
      summary: 'Delete an anime (If-Match: its ETag)',
      description:
        'Admin only. With If-Match (the ETag from a GET or a write), a record changed since is 412.',
      params: IdParams,
      response: { status: 204, description: 'Deleted' },
      problems: [404, 412],
      handler: async ({ params }, ctx) => {
        if (!(await writes.remove(params.id, expectedVersion(ctx, params.id)))) throw missing(params.id);
      },
    }),
  ];
}
