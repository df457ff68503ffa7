import { stringify } from 'csv-stringify/sync';
import type { ChunkFormat } from './chunked-body';

/**
 * Cells a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) get a leading
 * apostrophe, as OWASP advises for CSV exports: an imported title must not execute.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/** List cells (genres) as one cell, their items separated by semicolons. */
const LIST_SEPARATOR = ';';

/** RFC 4180 text (CRLF, quotes doubled) with a header row of `columns`, written by csv-stringify. */
export function csvFormat(columns: readonly string[]): ChunkFormat {
  const options = {
    columns: [...columns],
    record_delimiter: 'windows' as const,
    cast: { string: (value: string) => (FORMULA_START.test(value) ? `'${value}` : value) },
  };
  const rows = (items: readonly unknown[]) =>
    items.map((item) => {
      const row: Record<string, unknown> = {};
      for (const column of columns) {
        const value = (item as Record<string, unknown>)[column];
        row[column] = Array.isArray(value) ? value.join(LIST_SEPARATOR) : value;
      }
      return row;
    });
  return {
    contentType: CSV_CONTENT_TYPE,
    chunk: (items, first) => stringify(rows(items), { ...options, header: first }),
    end: (empty) => (empty ? stringify([], { ...options, header: true }) : ''),
  };
}
