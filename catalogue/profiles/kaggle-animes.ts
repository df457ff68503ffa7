import type { MappingProfile } from '../definition';

const UNKNOWN = ['UNKNOWN', ''];

/** The Kaggle `animes.csv` the original system loaded: 12 columns, genres as a Python list literal. */
export const kaggleAnimes: MappingProfile = {
  name: 'kaggle-animes',
  description: 'Kaggle animes.csv: animeID,title,...,genres as a Python list literal',
  source: 'kaggle',
  delimiter: ',',
  fields: {
    sourceId: { from: 'animeID' },
    title: { from: 'title' },
    type: { from: 'type', synonyms: { 'TV SPECIAL': 'SPECIAL', MOVIE: 'MOVIE' } },
    year: { from: 'year', nullTokens: UNKNOWN },
    score: { from: 'score', nullTokens: UNKNOWN },
    episodes: { from: 'episodes', nullTokens: UNKNOWN },
    genres: { from: 'genres', list: { format: 'python-literal' } },
  },
};
