import type { MappingProfile } from '../definition';

/** A MyAnimeList export: 43 columns, pipe-separated genres, empty cells for missing values. */
export const malExport: MappingProfile = {
  name: 'mal-export',
  description: 'MyAnimeList export: mal_id,title,...; genres separated by |',
  source: 'mal',
  delimiter: ',',
  fields: {
    sourceId: { from: 'mal_id' },
    title: { from: 'title' },
    type: { from: 'type', synonyms: { 'TV SPECIAL': 'SPECIAL', CM: 'SPECIAL', PV: 'SPECIAL' } },
    year: { from: 'year', nullTokens: [''] },
    score: { from: 'score', nullTokens: [''] },
    episodes: { from: 'episodes', nullTokens: [''] },
    genres: { from: 'genres', list: { format: 'delimited', separator: '|' } },
    originalTitle: { from: 'title_japanese', nullTokens: [''] },
  },
};
