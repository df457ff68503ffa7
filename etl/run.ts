import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { openConfiguredStore } from '../api/composition/catalogue-store';
import { loadConfig } from '../api/config';
import { ProfileError, resolveProfile } from '../catalogue/profiles';
import { InputError, type LoadSummary, loadCsv } from './load-csv';

const USAGE = `usage: npm run etl -- --input FILE [--profile kaggle-animes|mal-export|mapping.json]
                    [--mode upsert|replace] [--dry-run] [--rejects FILE] [--json] [--database FILE]`;

function formatSummary(s: LoadSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run of' : 'loaded'} ${s.input} (profile ${s.profile}, mode ${s.mode})`,
    `  read ${s.read}, valid ${s.valid}, rejected ${s.rejected}`,
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
    },
  });
}

/** The ETL's composition root: parses arguments, picks the store adapter, runs the load. */
async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>['values'];
  try {
    ({ values } = parseCli(argv));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.input) {
    console.error(`--input is required\n${USAGE}`);
    return 2;
  }
  if (values.mode !== 'upsert' && values.mode !== 'replace') {
    console.error(`--mode must be upsert or replace, got "${values.mode}"\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const store = await openConfiguredStore({
    ...config,
    DATABASE_PATH: values.database ?? config.DATABASE_PATH,
  });
  const bar =
    process.stderr.isTTY && !values.json
      ? new SingleBar({ format: 'loading [{bar}] {percentage}% | {rows} rows' })
      : undefined;
  let lastLog = 0;
  try {
    const profile = resolveProfile(values.profile!);
    bar?.start(100, 0, { rows: 0 });
    const summary = await loadCsv({
      input: values.input,
      profile,
      loader: store.loader,
      mode: values.mode,
      dryRun: values['dry-run'],
      rejectsFile: values.rejects,
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
    return 0;
  } catch (error) {
    bar?.stop();
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof InputError || error instanceof ProfileError) {
      console.error(`etl: ${message}`);
      return 2;
    }
    console.error(`etl: load failed, previous data left intact: ${message}`);
    return 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
