import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { ANIME_COLUMNS, type MappingProfile } from '../definition';
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
const ProfileSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.String(),
    delimiter: Type.String({ minLength: 1, maxLength: 1 }),
    fields: Type.Object(
      Object.fromEntries(ANIME_COLUMNS.map((c) => [c.field, Type.Optional(FieldMappingSchema)])),
      {
        additionalProperties: false,
        required: REQUIRED_FIELDS,
      },
    ),
  },
  { additionalProperties: false },
);
const validateProfile = compileSchema(ProfileSchema);

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
  return parsed as MappingProfile;
}
