import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { MappingProfile } from '../catalogue/definition';
import type { AnimeInput } from '../catalogue/schema';
import { createCellsTransformer } from './transform';

export interface RejectedRow {
  /** Data records counted from 1 (the header is not a row; quoted newlines do not split one). */
  row: number;
  cells: string[];
  reasons: string[];
}

/** Parsed and validated rows, in file order. Everything here is plain data, so it can cross threads. */
export interface RowBatch {
  records: AnimeInput[];
  /** The row number of each record, in the same order. */
  recordRows: number[];
  rejected: RejectedRow[];
  /** Rows read so far, including this batch. */
  rowsRead: number;
  bytesRead: number;
}

export type RowEvent = { kind: 'header'; header: string[] } | { kind: 'rows'; batch: RowBatch };

export interface ReadRowsOptions {
  input: string;
  profile: MappingProfile;
  /** Valid records per batch. */
  batchSize: number;
}

/**
 * Streams a CSV file as its header, then batches of validated records and rejected rows. Memory
 * stays flat in the input size. Used as is on the main thread, and inside the parse worker.
 */
export async function* readCsvRows({ input, profile, batchSize }: ReadRowsOptions): AsyncGenerator<RowEvent> {
  const source = createReadStream(input, { highWaterMark: 1 << 20 });
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
  // The parser runs ahead of this loop, so a skip is placed by the count of records parsed before it.
  const skipped: { after: number; reason: string }[] = [];
  parser.on('skip', (error: Error) =>
    skipped.push({ after: parser.info.records, reason: `unparseable CSV: ${error.message}` }),
  );
  let recordsSeen = 0;
  let header: string[] | undefined;
  let transform: ReturnType<typeof createCellsTransformer> | undefined;
  let records: AnimeInput[] = [];
  let recordRows: number[] = [];
  let rejected: RejectedRow[] = [];
  let rowsRead = 0;
  // Records csv-parse could not parse count as read and rejected, in file order.
  const takeSkipped = (before: number) => {
    while (skipped.length && skipped[0]!.after < before) {
      rejected.push({ row: ++rowsRead, cells: [], reasons: [skipped.shift()!.reason] });
    }
  };
  const cut = (): RowEvent => {
    // The parser runs a whole read buffer (1 MiB) ahead of this loop, so its byte count would put a
    // small file at 100 % with its first batch; the records taken times its bytes per record is
    // where this loop is.
    const { bytes, records: parsed } = parser.info;
    const bytesRead = Math.round((recordsSeen * bytes) / Math.max(parsed, 1));
    const batch = { records, recordRows, rejected, rowsRead, bytesRead };
    records = [];
    recordRows = [];
    rejected = [];
    return { kind: 'rows', batch };
  };
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      takeSkipped(++recordsSeen);
      if (!header) {
        header = cells.map((name) => name.trim());
        transform = createCellsTransformer(profile, header);
        yield { kind: 'header', header };
        continue;
      }
      rowsRead++;
      if (cells.length !== header.length) {
        const reason = `row has ${cells.length} fields, the header has ${header.length}`;
        rejected.push({ row: rowsRead, cells, reasons: [reason] });
        continue;
      }
      const outcome = transform!(cells);
      if (!outcome.ok) {
        rejected.push({ row: rowsRead, cells, reasons: outcome.reasons });
        continue;
      }
      records.push(outcome.record);
      recordRows.push(rowsRead);
      if (records.length >= batchSize) yield cut();
    }
    takeSkipped(Number.POSITIVE_INFINITY);
    if (header) yield cut();
  } finally {
    source.destroy();
  }
}
