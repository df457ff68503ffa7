import { join } from 'node:path';
import { ANIME_COLUMNS, type TargetColumn } from '../../catalogue/definition';
import { createRandom } from '../../etl/dataset-generator';
import { ANIME_TYPES, type AnimeInput } from '../../platform/core/domain/anime';
import type { CatalogueLoader, LoadMode, LoadResult } from '../../platform/core/ports/catalogue-loader';

/** The real MyAnimeList export beside the repository, when present (the project never needs it). */
export const MAL_EXPORT = join(__dirname, '..', '..', '..', 'shared', 'data', 'mal-tv-anime-2006-2026.csv');

const WORDS = [
  'Alpha',
  'beta',
  'Gamma',
  'delta',
  'Echo',
  'echo',
  'Zulu',
  'Crimson',
  'Sky',
  '100%',
  'under_score',
  "O'Brien",
];
export const FIXTURE_GENRES = ['Action', 'Drama', 'Comedy', 'Sci-Fi', 'Slice of Life', 'Mystery'];

/**
 * A record with every definition column: the fields given, and every other nullable column null
 * and list empty. Tests build records with it, so a column added to the definition needs no test
 * edits (a literal naming every field would fail to compile).
 */
export function animeRecord(
  fields: Pick<AnimeInput, 'source' | 'sourceId' | 'title' | 'type'> & Partial<AnimeInput>,
): AnimeInput {
  const blanks: Record<string, null | []> = {};
  for (const c of ANIME_COLUMNS) {
    if (c.kind === 'textList') blanks[c.field] = [];
    else if (c.nullable) blanks[c.field] = null;
  }
  return { ...blanks, ...fields } as AnimeInput;
}

/** The fixture's second source: every fifth row, reusing the id of the kaggle row before it. */
export const SECOND_SOURCE = 'mal';

/**
 * A small catalogue with every awkward case the API must handle: null years, scores and episodes,
 * duplicate sort values, mixed-case and LIKE-special titles, Japanese text, rows without genres,
 * and two sources whose ids collide (row 5k+1 of `mal` has the id of row 5k of `kaggle`).
 * `singleSource` gives every row the source kaggle and an id of its own.
 */
export function fixtureRecords(count = 240, seed = 7, singleSource = false): AnimeInput[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const genres = FIXTURE_GENRES.filter(() => random() < 0.3);
    const second = !singleSource && i % 5 === 1;
    return animeRecord({
      source: second ? SECOND_SOURCE : 'kaggle',
      sourceId: `fx-${second ? i : i + 1}`,
      title:
        i % 17 === 0
          ? `魔法 ${pick(WORDS)}`
          : `${pick(WORDS)} ${pick(WORDS)}${i % 5 === 0 ? '' : ` ${i % 13}`}`,
      type: pick(ANIME_TYPES),
      year: random() < 0.1 ? null : 1990 + Math.floor(random() * 12),
      score: random() < 0.15 ? null : Math.round((1 + random() * 9) * 4) / 4,
      episodes: random() < 0.1 ? null : 1 + Math.floor(random() * 30),
      genres,
      // Derived from i, not drawn, so every other field's draw stays as before.
      originalTitle: i % 3 === 2 ? `原題 ${WORDS[i % WORDS.length]} ${i % 7}` : null,
    });
  });
}

/**
 * A column the definition does not have, for tests that show a new column flowing through: the
 * docs' worked example (a studio), named so that no real change collides with it (a user who
 * follows the example and adds `studio` keeps these tests passing).
 */
export const STUDIO_COLUMN = {
  column: 'worked_example_studio',
  field: 'workedExampleStudio',
  kind: 'text',
  maxLength: 200,
  nullable: true,
  description: 'Animation studio.',
  example: 'Sunrise',
} as const satisfies TargetColumn;

/** Loads records in one load per source (a load belongs to one source), in order of first appearance. */
export async function loadRecords(
  loader: CatalogueLoader,
  records: readonly AnimeInput[],
  mode: LoadMode = 'upsert',
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const source of new Set(records.map((r) => r.source))) {
    const load = await loader.begin(mode, { source });
    await load.stage(records.filter((r) => r.source === source));
    results.push(await load.commit());
  }
  return results;
}
