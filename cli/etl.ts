import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { MappingProfile } from '../catalogue/definition';
import { BUILT_IN_PROFILES, ProfileError, resolveProfile } from '../catalogue/profiles';
import { openConfiguredStore } from '../composition/catalogue-store';
import { guessMapping, readHeader } from '../etl/init-mapping';
import {
  InputError,
  InterruptedError,
  type LoadSummary,
  loadCsv,
  parseRejectsLimit,
  type RejectsLimit,
  TooManyRejectsError,
} from '../etl/load-csv';
import { StoreOnFirstWrite } from '../etl/store-on-first-write';
import { databaseDriver, loadConfig } from '../platform/config';

const USAGE = `usage: npm run etl -- --input FILE [--profile NAME|mapping.json] [--mode upsert|replace]
                    [--max-rejects N|P%] [--dry-run] [--rejects FILE] [--json] [--database FILE]
       npm run etl -- init-mapping --input FILE.csv [--out mapping.json]`;

const MAPPING_EXAMPLE = {
  name: 'my-export',
  description: 'id;name;kind;aired;rating;eps;tags',
  source: 'my-export',
  delimiter: ';',
  fields: {
    sourceId: { from: 'id' },
    title: { from: 'name' },
    type: { from: 'kind', synonyms: { web: 'ONA', 'tv special': 'SPECIAL' } },
    year: { from: 'aired', nullTokens: ['', 'unknown'] },
    score: { from: 'rating', nullTokens: ['N/A'] },
    episodes: { from: 'eps' },
    genres: { from: 'tags', list: { format: 'delimited', separator: '|' } },
  },
};

/** The shell's convention: 128 + the signal's number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

function help(): string {
  const profiles = Object.values(BUILT_IN_PROFILES).map((p) => `  ${p.name.padEnd(14)} ${p.description}`);
  return `${USAGE}

Loads a CSV into the catalogue in one transaction: bad rows are rejected with reasons (--rejects
writes them, with the original cells), good rows are kept, and a failed load leaves the previous
data intact.
  --input FILE        the CSV (UTF-8, a header row)
  --profile NAME      how to read it: a built-in profile or a mapping file (default kaggle-animes)
  --mode upsert       insert new rows, update changed ones (default); replace also deletes rows
                      the file lacks, and refuses a file with no valid row
  --max-rejects N|P%  roll the whole load back (exit 3) when more than N rows, or P% of the rows
                      read, are rejected
  --dry-run           validate and count, write nothing
  --json              print the summary as JSON
  --database FILE     the SQLite file (default DATABASE_PATH; SQL_SERVER etc. select Azure SQL)

Built-in profiles:
${profiles.join('\n')}

A mapping file is JSON (schema: catalogue/mapping.schema.json; \`npm run etl -- init-mapping
--input FILE.csv\` writes a starting one): every field maps from one header column ("from"). Each "from" must be in
the file's header (exit 2 otherwise). Synonym keys ignore case; their targets must be valid values.
"source" names the system the ids come from: a row is matched by (source, sourceId), so files of
different sources never overwrite (or, with --mode replace, delete) each other's rows.
Fields you do not map keep their stored values on rows that exist; new rows get them empty.
Example:
${JSON.stringify(MAPPING_EXAMPLE, null, 2)}

Exit codes: 0 loaded, 1 the load failed (data intact), 2 bad arguments or input, 3 too many rejects,
130 interrupted by Ctrl-C (143 by SIGTERM): rolled back. A run that does not exit 0 leaves the
database as it was, and creates none; a dry run never opens it.`;
}

function formatSummary(s: LoadSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run of' : 'loaded'} ${s.input} (profile ${s.profile}, source ${s.source}, mode ${s.mode})`,
    `  read ${s.read}, valid ${s.valid}, rejected ${s.rejected}, duplicates ${s.duplicates}`,
  ];
  if (!s.dryRun) {
    lines.push(
      `  inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, deleted ${s.deleted}`,
    );
  }
  lines.push(`  ${s.seconds} s, ${s.rowsPerSecond} rows/s`);
  return lines.join('\n');
}

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      profile: { type: 'string', default: 'kaggle-animes' },
      mode: { type: 'string', default: 'upsert' },
      'dry-run': { type: 'boolean', default: false },
      rejects: { type: 'string' },
      json: { type: 'boolean', default: false },
      database: { type: 'string' },
      'max-rejects': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

const INIT_USAGE = 'usage: npm run etl -- init-mapping --input FILE.csv [--out mapping.json] [--force]';

/** `init-mapping`: a starting mapping file from a CSV's header, columns guessed by name. */
async function initMapping(argv: string[]): Promise<number> {
  let values: { input?: string; out?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        out: { type: 'string', default: 'mapping.json' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${INIT_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(
      `${INIT_USAGE}\n\nReads FILE.csv's header, guesses which column holds each field by its name, and writes a\nmapping file to review (it names its JSON Schema, so editors check it). Then:\n  npm run etl -- --input FILE.csv --profile mapping.json --dry-run`,
    );
    return 0;
  }
  if (!values.input) {
    console.error(`--input is required\n${INIT_USAGE}`);
    return 2;
  }
  if (!existsSync(values.input)) {
    console.error(`etl: input file not found: ${values.input}`);
    return 2;
  }
  const out = values.out!;
  if (existsSync(out) && !values.force) {
    console.error(`etl: ${out} exists: pass --force to overwrite it`);
    return 2;
  }
  const { header, delimiter } = await readHeader(values.input);
  const schemaPath = relative(
    dirname(resolve(out)),
    join(__dirname, '..', 'catalogue', 'mapping.schema.json'),
  );
  const { mapping, unguessed } = guessMapping(header, delimiter, {
    name: basename(values.input).replace(/\.[^.]+$/, ''),
    schemaPath: schemaPath.startsWith('.') ? schemaPath : `./${schemaPath}`,
  });
  writeFileSync(out, `${JSON.stringify(mapping, null, 2)}\n`);
  console.log(`wrote ${out}: ${Object.keys(mapping.fields).length} fields guessed`);
  if (unguessed.length)
    console.log(`  not guessed (add them by hand, or leave them out): ${unguessed.join(', ')}`);
  return 0;
}

/** The ETL's composition root: parses arguments, picks the store adapter, runs the load. */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init-mapping') return initMapping(argv.slice(1));
  let values: ReturnType<typeof parseCli>['values'];
  try {
    ({ values } = parseCli(argv));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(help());
    return 0;
  }
  if (!values.input) {
    console.error(`--input is required\n${USAGE}`);
    return 2;
  }
  if (values.mode !== 'upsert' && values.mode !== 'replace') {
    console.error(`--mode must be upsert or replace, got "${values.mode}"\n${USAGE}`);
    return 2;
  }
  let maxRejects: RejectsLimit | undefined;
  try {
    maxRejects = values['max-rejects'] === undefined ? undefined : parseRejectsLimit(values['max-rejects']);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let profile: MappingProfile;
  try {
    profile = resolveProfile(values.profile!);
  } catch (error) {
    console.error(`etl: ${(error as Error).message}`);
    return 2;
  }
  const config = loadConfig();
  const storeConfig = { ...config, DATABASE_PATH: values.database ?? config.DATABASE_PATH };
  const path = storeConfig.DATABASE_PATH;
  const store = new StoreOnFirstWrite({
    open: () => openConfiguredStore(storeConfig),
    newFile:
      databaseDriver(storeConfig) === 'sqlite' && path !== ':memory:' && !existsSync(path) ? path : undefined,
  });
  const bar =
    process.stderr.isTTY && !values.json
      ? new SingleBar({ format: 'loading [{bar}] {percentage}% | {rows} rows' })
      : undefined;
  let lastLog = 0;
  let code = 1;
  // Ctrl-C or a stop signal ends the load between batches and rolls it back; a second one ends the
  // process at once (the open transaction is never committed, so nothing is written either way).
  const interrupt = new AbortController();
  const onSignal = (signal: StopSignal) => {
    if (interrupt.signal.aborted) process.exit(SIGNAL_EXIT[signal]);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    bar?.start(100, 0, { rows: 0 });
    const summary = await loadCsv({
      input: values.input,
      profile,
      loader: store,
      mode: values.mode,
      dryRun: values['dry-run'],
      rejectsFile: values.rejects,
      maxRejects,
      signal: interrupt.signal,
      onProgress: ({ bytesRead, totalBytes, rowsRead }) => {
        const percent = Math.floor((100 * bytesRead) / Math.max(totalBytes, 1));
        if (bar) bar.update(percent, { rows: rowsRead });
        else if (!values.json && percent >= lastLog + 10) {
          lastLog = percent;
          console.error(`progress ${percent}% (${rowsRead} rows)`);
        }
      },
    });
    bar?.stop();
    console.log(values.json ? JSON.stringify(summary) : formatSummary(summary));
    code = 0;
    return code;
  } catch (error) {
    bar?.stop();
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof InterruptedError) {
      console.error(`etl: ${message}`);
      code = SIGNAL_EXIT[interrupt.signal.reason as StopSignal];
    } else if (error instanceof InputError || error instanceof ProfileError) {
      console.error(`etl: ${message}`);
      code = 2;
    } else if (error instanceof TooManyRejectsError) {
      console.error(`etl: ${message}`);
      code = 3;
    } else console.error(`etl: load failed, previous data left intact: ${message}`);
    return code;
  } finally {
    await store.close({ keepNewFile: code === 0 });
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
