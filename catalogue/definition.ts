/**
 * The one definition of the anime catalogue dataset. The ETL's row validation, the SQL schemas
 * (SQLite and T-SQL), the API's write schemas and the Data Factory copy mapping are all derived
 * from this file, so a column added here shows up everywhere or fails a test.
 */

export const ANIME_TYPES = ['TV', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC'] as const;
export type AnimeType = (typeof ANIME_TYPES)[number];

interface ColumnBase {
  /** Column name in SQL. */
  readonly column: string;
  /** Property name in the domain record and in JSON. */
  readonly field: string;
  readonly nullable: boolean;
  readonly description: string;
  /**
   * A realistic value, shown as the OpenAPI document's example: generated clients, docs and the
   * contract suite build their requests from it, so it must pass the column's own validation.
   */
  readonly example: string | number | readonly string[];
}

export type TargetColumn =
  | (ColumnBase & {
      readonly kind: 'text';
      readonly maxLength: number;
      /** A stricter rule than "no control characters", as a JSON Schema pattern. */
      readonly pattern?: string;
    })
  | (ColumnBase & { readonly kind: 'enum'; readonly values: readonly string[] })
  | (ColumnBase & { readonly kind: 'integer'; readonly min: number; readonly max: number })
  | (ColumnBase & {
      readonly kind: 'decimal';
      readonly min: number;
      readonly max: number;
      readonly scale: number;
    })
  | (ColumnBase & { readonly kind: 'textList'; readonly itemMaxLength: number; readonly maxItems: number });

/** Columns a loader writes. `id`, `createdAt` and `updatedAt` are owned by the store. */
export const ANIME_COLUMNS = [
  {
    column: 'source_id',
    field: 'sourceId',
    kind: 'text',
    maxLength: 64,
    nullable: false,
    description: 'Natural key from the source system (animeID, mal_id).',
    example: '1',
  },
  {
    column: 'title',
    field: 'title',
    kind: 'text',
    maxLength: 500,
    nullable: false,
    description: 'Main title.',
    example: 'Cowboy Bebop',
  },
  {
    column: 'type',
    field: 'type',
    kind: 'enum',
    values: ANIME_TYPES,
    nullable: false,
    description: 'Format.',
    example: 'TV',
  },
  {
    column: 'year',
    field: 'year',
    kind: 'integer',
    min: 1900,
    max: 2100,
    nullable: true,
    description: 'Year aired.',
    example: 1998,
  },
  {
    column: 'score',
    field: 'score',
    kind: 'decimal',
    min: 0,
    max: 10,
    scale: 2,
    nullable: true,
    description: 'Average user score from 0 to 10.',
    example: 8.75,
  },
  {
    column: 'episodes',
    field: 'episodes',
    kind: 'integer',
    min: 0,
    max: 100000,
    nullable: true,
    description: 'Episode count.',
    example: 26,
  },
  {
    column: 'genres',
    field: 'genres',
    kind: 'textList',
    itemMaxLength: 64,
    maxItems: 50,
    nullable: false,
    description: 'Genre names; normalized into their own table.',
    example: ['Action', 'Sci-Fi'],
  },
  {
    column: 'source',
    field: 'source',
    kind: 'text',
    maxLength: 32,
    pattern: '^[a-z0-9][a-z0-9_-]*$',
    nullable: false,
    description:
      'The system the row comes from (kaggle, mal, bangumi; api for API creates): the namespace of sourceId.',
    example: 'api',
  },
  {
    column: 'original_title',
    field: 'originalTitle',
    kind: 'text',
    maxLength: 500,
    nullable: true,
    description:
      'Title in the original language and script (Japanese for most anime), when the source has one.',
    example: 'カウボーイビバップ',
  },
] as const satisfies readonly TargetColumn[];

export type AnimeField = (typeof ANIME_COLUMNS)[number]['field'];

/**
 * A row's identity across loads. Ids of different sources collide (a MyAnimeList id is also some
 * Kaggle animeID), so a load matches, updates and (in replace mode) deletes rows of its own source only.
 */
export const NATURAL_KEY = ['source', 'sourceId'] as const satisfies readonly AnimeField[];

/** The field a load takes from its profile's declared `source`, never from a CSV column. */
export const SOURCE_FIELD = 'source' satisfies AnimeField;
/** The record's id in its source (the other half of the natural key). */
export const SOURCE_ID_FIELD = 'sourceId' satisfies AnimeField;
export type MappedField = Exclude<AnimeField, typeof SOURCE_FIELD>;
/** The columns a mapping can read from a CSV: every column but the source. */
export const MAPPED_COLUMNS = ANIME_COLUMNS.filter((c) => c.field !== SOURCE_FIELD);
/** The source of rows created through the API without one. */
export const API_SOURCE = 'api';

/** How one target field is read from a source row. */
export interface FieldMapping {
  /** Source column header. */
  readonly from: string;
  /** Source values that mean "no value" (compared after trimming). */
  readonly nullTokens?: readonly string[];
  /** For textList fields: how the cell encodes a list. */
  readonly list?:
    | { readonly format: 'python-literal' }
    | { readonly format: 'delimited'; readonly separator: string };
  /** Source value (case-insensitive) to target value, applied before validation. */
  readonly synonyms?: Readonly<Record<string, string>>;
}

/** A named way to read one CSV layout into the target columns. */
export interface MappingProfile {
  readonly name: string;
  readonly description: string;
  /** The namespace of the file's ids (see NATURAL_KEY); loads of different sources never touch each other's rows. */
  readonly source: string;
  readonly delimiter: string;
  readonly fields: { readonly [F in MappedField]?: FieldMapping } & {
    readonly sourceId: FieldMapping;
    readonly title: FieldMapping;
    readonly type: FieldMapping;
  };
}

export function columnFor(field: AnimeField): TargetColumn {
  const column = ANIME_COLUMNS.find((c) => c.field === field);
  if (!column) throw new Error(`unknown field ${field}`);
  return column;
}

/**
 * Every source header a profile maps from. A mapped column the file lacks is an error, never a
 * silently empty field (a typo in `from` would otherwise load every row with that field null).
 */
export function requiredSourceColumns(profile: MappingProfile): string[] {
  return MAPPED_COLUMNS.map((c) => profile.fields[c.field as MappedField]?.from).filter(
    (from): from is string => typeof from === 'string',
  );
}

/** The fields a profile maps (the source id always among them). */
export function mappedFields(profile: MappingProfile): AnimeField[] {
  return MAPPED_COLUMNS.map((c) => c.field as MappedField).filter(
    (field) => profile.fields[field] !== undefined,
  );
}

/**
 * A field's synonyms keyed by upper-case source value: keys match case-insensitively on every
 * path (the ETL here, the SQL Server merge procedure by UPPER()).
 */
export function synonymLookup(mapping: FieldMapping | undefined): ReadonlyMap<string, string> {
  return new Map(Object.entries(mapping?.synonyms ?? {}).map(([from, to]) => [from.toUpperCase(), to]));
}
