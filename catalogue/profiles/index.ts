import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { columnFor, type FieldMapping, MAPPED_COLUMNS, type MappingProfile } from '../definition';
import { columnSchema } from '../schema';
import { compileSchema, formatErrors } from '../validation';
import { kaggleAnimes } from './kaggle-animes';
import { malExport } from './mal-export';

export const BUILT_IN_PROFILES: Readonly<Record<string, MappingProfile>> = {
  [kaggleAnimes.name]: kaggleAnimes,
  [malExport.name]: malExport,
};

/** The profile of the generated dataset and of the original Kaggle export; `INGEST_PROFILE` picks another. */
export const DEFAULT_INGEST_PROFILE = kaggleAnimes;

const FieldMappingSchema = Type.Object(
  {
    from: Type.String({ minLength: 1 }),
    nullTokens: Type.Optional(Type.Array(Type.String())),
    list: Type.Optional(
      Type.Union([
        Type.Object({ format: Type.Literal('python-literal') }, { additionalProperties: false }),
        Type.Object(
          { format: Type.Literal('delimited'), separator: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
      ]),
    ),
    synonyms: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

const REQUIRED_FIELDS = ['sourceId', 'title', 'type'];
const SOURCE_DESCRIPTION =
  'Namespace of the ids in this file (e.g. kaggle, mal, bangumi): rows of other sources are never matched, updated or deleted by it';
const ProfileSchema = Type.Object(
  {
    // Lets a mapping file name its JSON Schema, so editors check it as it is written.
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1 }),
    description: Type.String(),
    source: { ...columnSchema(columnFor('source')), description: SOURCE_DESCRIPTION },
    delimiter: Type.String({ minLength: 1, maxLength: 1 }),
    fields: Type.Object(
      Object.fromEntries(MAPPED_COLUMNS.map((c) => [c.field, Type.Optional(FieldMappingSchema)])),
      {
        additionalProperties: false,
        required: REQUIRED_FIELDS,
      },
    ),
  },
  { additionalProperties: false },
);
const validateProfile = compileSchema(ProfileSchema);

/**
 * The JSON Schema of a mapping file, derived from the same definition (committed as
 * catalogue/mapping.schema.json; a test keeps it current). Editors that read `$schema` check
 * field names, list formats, and synonym targets against each enum's values.
 */
export function mappingFileSchema(): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(ProfileSchema)) as {
    properties: { fields: { properties: Record<string, { properties: Record<string, unknown> }> } };
  };
  for (const column of MAPPED_COLUMNS) {
    const field = schema.properties.fields.properties[column.field]!;
    if (column.kind === 'enum')
      field.properties.synonyms = {
        type: 'object',
        description: `Source value (any case) to one of ${column.values.join(', ')}`,
        additionalProperties: { enum: [...column.values] },
      };
    else delete field.properties.synonyms;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'anime-platform ETL mapping file',
    description: 'How one CSV layout maps to the catalogue fields (npm run etl -- --profile FILE.json)',
    ...schema,
  };
}

export class ProfileError extends Error {}

/** A built-in profile by name, or a user's mapping from a JSON file, validated. */
export function resolveProfile(nameOrPath: string): MappingProfile {
  const builtIn = BUILT_IN_PROFILES[nameOrPath];
  if (builtIn) return builtIn;
  if (!nameOrPath.endsWith('.json')) {
    throw new ProfileError(
      `unknown profile "${nameOrPath}": use ${Object.keys(BUILT_IN_PROFILES).join(', ')} or a mapping .json file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (error) {
    throw new ProfileError(`cannot read mapping file ${nameOrPath}: ${(error as Error).message}`);
  }
  if (!validateProfile(parsed)) {
    const problems = formatErrors(validateProfile.errors).map((e) => `${e.name} ${e.reason}`);
    throw new ProfileError(`invalid mapping file ${nameOrPath}: ${problems.join('; ')}`);
  }
  const problems = synonymProblems(parsed as MappingProfile);
  if (problems.length) throw new ProfileError(`invalid mapping file ${nameOrPath}: ${problems.join('; ')}`);
  return parsed as MappingProfile;
}

/**
 * Synonym targets outside the field's values, and keys that differ only in case but map to
 * different targets (keys match case-insensitively, so one of them could never apply).
 */
export function synonymProblems(profile: MappingProfile): string[] {
  const problems: string[] = [];
  for (const column of MAPPED_COLUMNS) {
    const synonyms = (profile.fields as Record<string, FieldMapping | undefined>)[column.field]?.synonyms;
    if (!synonyms) continue;
    if (column.kind !== 'enum') {
      problems.push(`fields.${column.field}.synonyms: only enum fields take synonyms`);
      continue;
    }
    const seen = new Map<string, string>();
    for (const [from, to] of Object.entries(synonyms)) {
      if (!(column.values as readonly string[]).includes(to))
        problems.push(
          `fields.${column.field}.synonyms["${from}"] maps to "${to}", which is not one of ${column.values.join(', ')}`,
        );
      const key = from.toUpperCase();
      const earlier = seen.get(key);
      if (earlier !== undefined && earlier !== to)
        problems.push(
          `fields.${column.field}.synonyms has "${from}" twice (keys ignore case) with different targets`,
        );
      seen.set(key, to);
    }
  }
  return problems;
}
