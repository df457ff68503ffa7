import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { malExport } from '../../catalogue/profiles/mal-export';
import { parsePythonList } from '../../etl/list-cells';
import { createRowTransformer } from '../../etl/transform';
import { animeRecord } from '../support/fixtures';

const base = {
  animeID: '7',
  title: ' Cowboy Bebop ',
  type: 'tv',
  year: '1998',
  score: '8.75',
  episodes: '26',
  genres: "['Action', 'Sci-Fi', \"Girls' Love\"]",
};

describe('Python list literals', () => {
  it.each([
    ["['Action', 'Sci-Fi']", ['Action', 'Sci-Fi']],
    ['[]', []],
    ["[\"Girls' Love\", 'Drama']", ["Girls' Love", 'Drama']],
    ["['It\\'s']", ["It's"]],
  ])('parses %s', (cell, expected) => expect(parsePythonList(cell)).toEqual(expected));

  it.each(['Action, Drama', "['Action'", "['Action' 'Drama']", '[Action]'])('rejects %s', (cell) =>
    expect(parsePythonList(cell)).toBeNull(),
  );
});

describe('row transformer', () => {
  const kaggle = createRowTransformer(kaggleAnimes);

  it('maps a Kaggle row onto the target record', () => {
    expect(kaggle(base)).toEqual({
      ok: true,
      // Columns the profile does not map (originalTitle) are null.
      record: animeRecord({
        source: 'kaggle',
        sourceId: '7',
        title: 'Cowboy Bebop',
        type: 'TV',
        year: 1998,
        score: 8.75,
        episodes: 26,
        genres: ['Action', 'Sci-Fi', "Girls' Love"],
      }),
    });
  });

  it('reads UNKNOWN and empty cells as null', () => {
    const outcome = kaggle({ ...base, year: 'UNKNOWN', score: 'UNKNOWN', episodes: '' });
    expect(outcome).toMatchObject({ ok: true, record: { year: null, score: null, episodes: null } });
  });

  it('gives every reason a row is rejected', () => {
    const outcome = kaggle({
      ...base,
      title: '',
      type: 'RADIO',
      year: '19x8',
      score: '11',
      genres: 'Action',
    });
    expect(outcome.ok).toBe(false);
    const reasons = (outcome as { reasons: string[] }).reasons;
    expect(reasons).toEqual(
      expect.arrayContaining([
        'title is empty',
        expect.stringContaining('type "RADIO" is not one of'),
        'year "19x8" is not an integer',
        expect.stringContaining('genres "Action" is not a list literal'),
      ]),
    );
  });

  it('checks ranges from the definition', () => {
    expect(kaggle({ ...base, score: '11' })).toEqual({ ok: false, reasons: ['score must be <= 10'] });
    expect(kaggle({ ...base, year: '1850' })).toEqual({ ok: false, reasons: ['year must be >= 1900'] });
  });

  it('reads the MAL export layout with pipe-separated genres', () => {
    const mal = createRowTransformer(malExport);
    const outcome = mal({
      mal_id: '1',
      title: 'Ergo Proxy',
      type: 'TV',
      year: '2006',
      score: '',
      episodes: '',
      genres: 'Mystery|Sci-Fi',
    });
    expect(outcome).toMatchObject({
      ok: true,
      record: { score: null, episodes: null, genres: ['Mystery', 'Sci-Fi'] },
    });
  });
});
