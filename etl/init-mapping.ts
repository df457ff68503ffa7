import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { MAPPED_COLUMNS, type MappedField } from '../catalogue/definition';

/** Header names that usually hold each field, in order of preference (compared without case or punctuation). */
const CANDIDATES: Readonly<Record<MappedField, readonly string[]>> = {
  sourceId: ['animeid', 'id', 'malid', 'sourceid', 'anilistid', 'bangumiid', 'uid'],
  title: ['title', 'name', 'titleromaji', 'titleenglish', 'englishname'],
  type: ['type', 'kind', 'format', 'mediatype', 'category'],
  year: ['year', 'startyear', 'seasonyear', 'aired', 'released', 'premiered'],
  score: ['score', 'rating', 'mean', 'averagescore', 'malscore'],
  episodes: ['episodes', 'eps', 'numepisodes', 'episodecount'],
  genres: ['genres', 'genre', 'tags', 'categories'],
  originalTitle: [
    'originaltitle',
    'titlejapanese',
    'titlenative',
    'nativetitle',
    'japanesename',
    'titleoriginal',
    'japanesetitle',
  ],
};

const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A name as a source: lower case, digits, `-` and `_`, at most 32 characters. */
function sourceName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 32);
  return slug || 'my-source';
}

/** The delimiter the header line most likely uses. */
function guessDelimiter(line: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length - 1] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

/**
 * A starting mapping for a header: each field from the first column whose name fits it. Fields
 * with no fitting column are left out (and named), so the file states what it could not guess.
 */
export function guessMapping(
  header: readonly string[],
  delimiter: string,
  options: { readonly name?: string; readonly schemaPath?: string } = {},
) {
  const byName = new Map(header.map((column) => [normalized(column), column]));
  const fields: Record<string, { from: string; list?: unknown }> = {};
  const unguessed: string[] = [];
  for (const column of MAPPED_COLUMNS) {
    const from = CANDIDATES[column.field as MappedField].map((c) => byName.get(c)).find(Boolean);
    if (!from) {
      unguessed.push(column.field);
      continue;
    }
    fields[column.field] = {
      from,
      ...(column.kind === 'textList'
        ? { list: { format: 'delimited', separator: delimiter === '|' ? ';' : '|' } }
        : {}),
    };
  }
  return {
    mapping: {
      ...(options.schemaPath ? { $schema: options.schemaPath } : {}),
      name: options.name ?? 'my-mapping',
      description: `guessed from the header: ${header.join(delimiter)}`,
      // The ids' namespace: a guess from the name, to be checked (it must stay the same for every
      // later file of this source, or its rows load as new ones).
      source: sourceName(options.name ?? 'my-mapping'),
      delimiter,
      fields,
    },
    unguessed,
  };
}

/** The header row of a CSV file and its delimiter (from its first line; BOM removed). */
export async function readHeader(input: string): Promise<{ header: string[]; delimiter: string }> {
  const lines = createInterface({ input: createReadStream(input, { encoding: 'utf8' }) });
  let first = '';
  for await (const line of lines) {
    first = line.replace(/^\uFEFF/, '');
    break;
  }
  lines.close();
  const delimiter = guessDelimiter(first);
  const [header = []] = parse(first, { delimiter, relax_quotes: true }) as string[][];
  return { header: header.map((name) => name.trim()), delimiter };
}
