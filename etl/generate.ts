import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { createRandom, DEFAULT_ROWS, generateRow, KAGGLE_HEADER } from './dataset-generator';

/** Streams `rows` generated rows as a Kaggle-format CSV to `out`. */
export async function writeDataset(out: string, rows = DEFAULT_ROWS, seed = 42): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const random = createRandom(seed);
  const stream = createWriteStream(out);
  const write = (text: string) =>
    stream.write(text) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', resolve));
  await write(stringify([[...KAGGLE_HEADER]]));
  const batch = 5000;
  for (let start = 0; start < rows; start += batch) {
    const chunk: string[][] = [];
    for (let i = start; i < Math.min(rows, start + batch); i++) chunk.push(generateRow(i, random));
    await write(stringify(chunk));
  }
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

const HELP = `usage: npm run data:generate -- [--rows N] [--seed N] [--out FILE] [--force]

Writes a generated catalogue in the Kaggle animes.csv layout (profile kaggle-animes): the data
npm start seeds an empty database with. Titles, scores and genres are random but plausible; the
URLs point at example.org, never at real shows. The same seed gives the same file.
  --rows   rows to write (default ${DEFAULT_ROWS})
  --seed   random seed (default 42)
  --out    where (default data/animes.csv)
  --force  overwrite an existing file (without it, an existing file is an error)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: String(DEFAULT_ROWS) },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'data/animes.csv' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  // The arguments first: a bad number is the mistake to name, whatever is at --out.
  const rows = /^\d+$/.test(values.rows!) ? Number(values.rows) : Number.NaN;
  const seed = /^-?\d+$/.test(values.seed!) ? Number(values.seed) : Number.NaN;
  if (!Number.isSafeInteger(rows))
    throw new Error(`--rows must be a non-negative integer, got "${values.rows}"`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  if (!values.force && existsSync(values.out!))
    throw new Error(`${values.out} exists: pass --force to overwrite it`);
  await writeDataset(values.out!, rows, seed);
  console.log(`wrote ${rows} rows to ${values.out} (seed ${seed})`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
