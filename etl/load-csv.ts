import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { CatalogueLoader, LoadMode, LoadResult } from '../api/core/ports/catalogue-loader';
import { type MappingProfile, requiredSourceColumns } from '../pipelines/ingest/definition';
import type { AnimeInput } from '../pipelines/ingest/schema';
import { createRowTransformer } from './transform';

/** Bad input the user must fix; nothing was written. The runner exits with code 2. */
export class InputError extends Error {}

export interface LoadOptions {
  input: string;
  profile: MappingProfile;
  loader: CatalogueLoader;
  mode: LoadMode;
  dryRun?: boolean;
  /** Where rejected rows go: the original cells plus a `reason` column. */
  rejectsFile?: string;
  batchSize?: number;
  onProgress?: (progress: { bytesRead: number; totalBytes: number; rowsRead: number }) => void;
}

export interface LoadSummary extends Partial<LoadResult> {
  input: string;
  profile: string;
  mode: LoadMode;
  dryRun: boolean;
  read: number;
  valid: number;
  rejected: number;
  seconds: number;
  rowsPerSecond: number;
}

class RejectsWriter {
  private stream?: WriteStream;
  count = 0;

  constructor(
    private readonly file: string | undefined,
    private readonly header: string[],
  ) {}

  /** `row` counts data records from 1 (the header is not a row; quoted newlines do not split one). */
  write(row: number, cells: string[], reasons: string[]): void {
    this.count++;
    if (!this.file) return;
    if (!this.stream) {
      this.stream = createWriteStream(this.file);
      this.stream.write(stringify([['row', ...this.header, 'reason']]));
    }
    // Every rejects row has the header's width, so the file stays a valid CSV to fix and reload.
    const fitted = Array.from(this.header, (_, i) => cells[i] ?? '');
    this.stream.write(stringify([[String(row), ...fitted, reasons.join('; ')]]));
  }

  close(): Promise<void> {
    const stream = this.stream;
    return stream ? new Promise((resolve) => stream.end(resolve)) : Promise.resolve();
  }
}

/**
 * Streams a CSV through validation into a staged load. Memory stays flat in the input size: rows
 * are parsed, checked and staged in batches. Nothing becomes visible until the final commit.
 */
export async function loadCsv(options: LoadOptions): Promise<LoadSummary> {
  const started = performance.now();
  const { input, profile, mode } = options;
  const totalBytes = await stat(input).then(
    (s) => s.size,
    () => {
      throw new InputError(`input file not found: ${input}`);
    },
  );
  const source = createReadStream(input);
  let bytesRead = 0;
  source.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  const parser = source.pipe(
    parse({
      bom: true,
      delimiter: profile.delimiter,
      relax_column_count: true,
      // A stray quote inside a field is read literally rather than swallowing the rows after it.
      relax_quotes: true,
      skip_records_with_error: true,
    }),
  );
  const transform = createRowTransformer(profile);
  const batchSize = options.batchSize ?? 2000;
  let header: string[] | undefined;
  let rejects: RejectsWriter | undefined;
  const skipped: string[] = [];
  parser.on('skip', (error: Error) => skipped.push(`unparseable CSV: ${error.message}`));
  let staged: Awaited<ReturnType<CatalogueLoader['begin']>> | undefined;
  // Records csv-parse could not parse count as read and rejected, in file order.
  const flushSkipped = () => {
    for (const reason of skipped.splice(0)) rejects!.write(++read, [], [reason]);
  };
  let batch: AnimeInput[] = [];
  let read = 0;
  let valid = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((h) => h.trim());
        const missing = requiredSourceColumns(profile).filter((c) => !header!.includes(c));
        if (missing.length) {
          throw new InputError(
            `${input} is missing required column(s) ${missing.join(', ')} for profile ${profile.name}`,
          );
        }
        rejects = new RejectsWriter(options.rejectsFile, header);
        if (!options.dryRun) staged = await options.loader.begin(mode);
        continue;
      }
      flushSkipped();
      read++;
      if (record.length !== header.length) {
        rejects!.write(read, record, [`row has ${record.length} fields, the header has ${header.length}`]);
        continue;
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = record[i]!;
      const outcome = transform(row);
      if (!outcome.ok) {
        rejects!.write(read, record, outcome.reasons);
        continue;
      }
      valid++;
      batch.push(outcome.record);
      if (batch.length >= batchSize) {
        await staged?.stage(batch);
        batch = [];
        options.onProgress?.({ bytesRead, totalBytes, rowsRead: read });
      }
    }
    if (!header) throw new InputError(`${input} is empty: expected a header row`);
    flushSkipped();
    if (batch.length) await staged?.stage(batch);
    options.onProgress?.({ bytesRead: totalBytes, totalBytes, rowsRead: read });
    const result = staged ? await staged.commit() : {};
    const seconds = (performance.now() - started) / 1000;
    return {
      input,
      profile: profile.name,
      mode,
      dryRun: Boolean(options.dryRun),
      read,
      valid,
      rejected: rejects?.count ?? 0,
      ...result,
      seconds: Math.round(seconds * 1000) / 1000,
      rowsPerSecond: Math.round(read / Math.max(seconds, 1e-6)),
    };
  } catch (error) {
    await staged?.abort();
    source.destroy();
    throw error;
  } finally {
    await rejects?.close();
  }
}
