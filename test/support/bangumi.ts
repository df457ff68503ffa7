import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/**
 * Real data nobody here wrote: the npm package bangumi-data (8,483 anime, Japanese titles, types
 * tv/movie/ova/web, some ids listed twice), flattened to CSV, with a user mapping file that uses
 * lower-case synonym keys and maps only some fields (no score, episodes or genres).
 */
type BangumiItem = { title: string; type: string; begin: string; sites: { site: string; id: string }[] };

const BANGUMI_HEADER = ['bangumi_id', 'title', 'type', 'begin_year'];

/** The items as CSV rows (bangumi id, title, type, begin year), in the package's order. */
export function bangumiRows(): string[][] {
  const items = (require('bangumi-data') as { items: BangumiItem[] }).items;
  return items.map((item) => [
    item.sites.find((s) => s.site === 'bangumi')?.id ?? '',
    item.title,
    item.type,
    item.begin ? item.begin.slice(0, 4) : '',
  ]);
}

const BANGUMI_MAPPING = {
  name: 'bangumi',
  description: 'bangumi-data items, flattened: bangumi_id,title,type,begin_year',
  source: 'bangumi',
  delimiter: ',',
  fields: {
    sourceId: { from: 'bangumi_id' },
    title: { from: 'title' },
    type: { from: 'type', synonyms: { tv: 'TV', movie: 'MOVIE', ova: 'OVA', web: 'ONA' } },
    year: { from: 'begin_year' },
  },
};

/** Writes `rows` as bangumi.csv and the mapping as bangumi.json into `dir`. */
export function writeBangumi(
  dir: string,
  rows: readonly string[][],
): { csvFile: string; mappingFile: string } {
  const csvFile = join(dir, 'bangumi.csv');
  writeFileSync(csvFile, stringify([BANGUMI_HEADER, ...rows]));
  const mappingFile = join(dir, 'bangumi.json');
  writeFileSync(mappingFile, JSON.stringify(BANGUMI_MAPPING));
  return { csvFile, mappingFile };
}
