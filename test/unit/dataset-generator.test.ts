import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { kaggleAnimes } from '../../catalogue/profiles/kaggle-animes';
import { writeDataset } from '../../etl/generate';
import { createRowTransformer } from '../../etl/transform';

describe('dataset generator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  let rows: Record<string, string>[];

  beforeAll(async () => {
    await writeDataset(join(dir, 'a.csv'), 20_238, 42);
    await writeDataset(join(dir, 'b.csv'), 20_238, 42);
    await writeDataset(join(dir, 'c.csv'), 500, 43);
    rows = parse(readFileSync(join(dir, 'a.csv')), { columns: true });
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(readFileSync(join(dir, 'a.csv')).equals(readFileSync(join(dir, 'b.csv')))).toBe(true);
    const other = parse(readFileSync(join(dir, 'c.csv')), { columns: true }) as Record<string, string>[];
    expect(other.slice(0, 50).map((r) => r.title)).not.toEqual(rows.slice(0, 50).map((r) => r.title));
  });

  it('writes the Kaggle layout with realistic, awkward values', () => {
    expect(rows).toHaveLength(20_238);
    expect(Object.keys(rows[0]!)).toHaveLength(12);
    const unknownScores = rows.filter((r) => r.score === 'UNKNOWN').length / rows.length;
    expect(unknownScores).toBeGreaterThan(0.12);
    expect(unknownScores).toBeLessThan(0.18);
    expect(new Set(rows.map((r) => r.type))).toEqual(
      new Set(['TV', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC']),
    );
    const years = rows.map((r) => Number(r.year)).filter(Number.isFinite);
    expect(Math.min(...years)).toBeGreaterThanOrEqual(1960);
    expect(rows.some((r) => r.title!.includes(','))).toBe(true);
    expect(rows.some((r) => r.title!.includes('"'))).toBe(true);
    expect(rows.some((r) => /[^ -~]/.test(r.title!))).toBe(true);
    const genres = new Set(rows.flatMap((r) => r.genres!.match(/[^'"[\], ][^'"]*[^'"[\], ]/g) ?? []));
    expect(genres.size).toBeGreaterThanOrEqual(38);
  });

  it('produces only rows the ETL accepts', () => {
    const transform = createRowTransformer(kaggleAnimes);
    expect(rows.filter((r) => !transform(r).ok)).toEqual([]);
  });
});
