import { ANIME_TYPES, type AnimeType } from '../catalogue/definition';

/** Header of the Kaggle animes.csv the original system loaded. */
export const KAGGLE_HEADER = [
  'animeID',
  'title',
  'alternative_title',
  'type',
  'year',
  'score',
  'episodes',
  'mal_url',
  'sequel',
  'image_url',
  'genres',
  'genres_detailed',
] as const;

export const DEFAULT_ROWS = 20_238;

export const GENRES = [
  'Action',
  'Adventure',
  'Comedy',
  'Drama',
  'Fantasy',
  'Sci-Fi',
  'Romance',
  'Slice of Life',
  'Mystery',
  'Supernatural',
  'School',
  'Shounen',
  'Mecha',
  'Sports',
  'Music',
  'Historical',
  'Military',
  'Psychological',
  'Horror',
  'Thriller',
  'Seinen',
  'Shoujo',
  'Josei',
  'Kids',
  'Magic',
  'Martial Arts',
  'Space',
  'Parody',
  'Samurai',
  'Police',
  'Demons',
  'Vampire',
  'Harem',
  'Ecchi',
  'Game',
  'Cars',
  'Dementia',
  'Super Power',
  'Isekai',
  "Girls' Love",
]; // prettier-ignore

const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Eternal',
  'Lost',
  'Brave',
  'Hidden',
  'Last',
  'Neon',
  'Broken',
  'Golden',
  'Wandering',
  'Little',
];
const NOUNS = [
  'Blade',
  'Garden',
  'Sky',
  'Academy',
  'Knight',
  'Frontier',
  'Melody',
  'Witch',
  'Empire',
  'Detective',
  'Dragon',
  'Summer',
];
const JAPANESE = [
  '進撃',
  '銀河',
  '魔法少女',
  '夏の空',
  '鋼の心',
  '風の谷',
  'ひかり',
  'ソードアート',
  '東京',
  '約束の花',
];
const SUFFIXES = [
  '',
  '',
  '',
  '',
  ': Season 2',
  ' II',
  ' Movie',
  ': The Final Chapter',
  ' Specials',
  ' 2nd Season',
];
const QUIRKS = [
  (t: string) => t,
  (t: string) => t,
  (t: string) => t,
  (t: string) => `${t}, Again`,
  (t: string) => `The "${t}"`,
  (t: string) => `${t}: Café Élan`,
  (t: string) => `${t} ～${JAPANESE[t.length % JAPANESE.length]}～`,
];
const TYPE_WEIGHTS: Record<AnimeType, number> = {
  TV: 35,
  MOVIE: 18,
  OVA: 15,
  ONA: 12,
  SPECIAL: 13,
  MUSIC: 7,
};

/** mulberry32: small, fast and deterministic for a given seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T extends string>(random: () => number, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][];
  let roll = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function episodesFor(type: AnimeType, random: () => number): string {
  if (random() < 0.04) return 'UNKNOWN';
  if (random() < 0.01) return '';
  switch (type) {
    case 'TV':
      return String(pick(random, [10, 12, 12, 13, 24, 25, 26, 50, 51, 64, 148]));
    case 'MOVIE':
    case 'MUSIC':
      return '1';
    default:
      return String(1 + Math.floor(random() * 6));
  }
}

function pythonList(items: readonly string[]): string {
  return `[${items.map((g) => (g.includes("'") ? `"${g}"` : `'${g}'`)).join(', ')}]`;
}

/** Row `index` (0-based) of the dataset for `seed`; the same inputs always give the same row. */
export function generateRow(index: number, random: () => number): string[] {
  const id = index + 1;
  const type = weighted(random, TYPE_WEIGHTS);
  const base =
    random() < 0.15
      ? `${pick(random, JAPANESE)}${pick(random, ['', 'の物語', ' ZERO'])}`
      : `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`;
  const title = `${pick(random, QUIRKS)(base)}${pick(random, SUFFIXES)}${random() < 0.5 ? ` ${id}` : ''}`;
  const year = random() < 0.03 ? 'UNKNOWN' : String(2025 - Math.floor(65 * random() ** 2));
  const score =
    random() < 0.15
      ? 'UNKNOWN'
      : Math.min(9.3, Math.max(1.5, 6.5 + (random() + random() + random() - 1.5) * 1.6)).toFixed(2);
  const genreCount = 1 + Math.floor(random() * random() * 5);
  const genres = new Set<string>();
  // Squaring the roll favours the first genres, as in real catalogues.
  while (genres.size < genreCount) genres.add(GENRES[Math.floor(random() ** 2 * GENRES.length)]!);
  const genreList = [...genres];
  return [
    String(id),
    title,
    random() < 0.6 ? `${pick(random, JAPANESE)}${id}` : '',
    type,
    year,
    score,
    episodesFor(type, random),
    // Reserved for examples (RFC 2606): a generated row must not point at a real, unrelated show.
    `https://example.org/anime/${id}`,
    random() < 0.2 ? String(id + 1) : '',
    `https://example.org/images/anime/${id}.jpg`,
    pythonList(genreList),
    pythonList(genreList.map((g) => `${g} (${ANIME_TYPES.length})`)),
  ];
}
