import { ANIME_TYPES, type AnimeInput } from '../../api/core/domain/anime';
import type { TargetColumn } from '../../catalogue/definition';
import { createRandom } from '../../etl/dataset-generator';

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
 * A small catalogue with every awkward case the API must handle: null years, scores and episodes,
 * duplicate sort values, mixed-case and LIKE-special titles, Japanese text, rows without genres.
 */
export function fixtureRecords(count = 240, seed = 7): AnimeInput[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const genres = FIXTURE_GENRES.filter(() => random() < 0.3);
    return {
      sourceId: `fx-${i + 1}`,
      title:
        i % 17 === 0
          ? `魔法 ${pick(WORDS)}`
          : `${pick(WORDS)} ${pick(WORDS)}${i % 5 === 0 ? '' : ` ${i % 13}`}`,
      type: pick(ANIME_TYPES),
      year: random() < 0.1 ? null : 1990 + Math.floor(random() * 12),
      score: random() < 0.15 ? null : Math.round((1 + random() * 9) * 4) / 4,
      episodes: random() < 0.1 ? null : 1 + Math.floor(random() * 30),
      genres,
    };
  });
}

/** A column the definition does not have, for tests that show a new column flowing through. */
export const STUDIO_COLUMN: TargetColumn = {
  column: 'studio',
  field: 'studio',
  kind: 'text',
  maxLength: 200,
  nullable: true,
  description: 'Animation studio.',
};
