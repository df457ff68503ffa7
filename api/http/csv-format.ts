import { stringify } from 'csv-stringify/sync';
import type { ChunkFormat } from './chunked-body';

/**
 * Cells a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) get a leading
 * apostrophe, as OWASP advises for CSV exports: an imported title must not execute.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const defused = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/** List cells (genres) as one cell, their items separated by semicolons. */
const LIST_SEPARATOR = ';';

/** RFC 4180 text (CRLF, quotes doubled) with a header row of `columns`, written by csv-stringify. */
export function csvFormat(columns: readonly string[]): ChunkFormat {
  const options = {
    columns: [...columns],
    record_delimiter: 'windows' as const,
    cast: { string: defused },
  };
  const rows = (items: readonly unknown[]) =>
    items.map((item) => {
      const row: Record<string, unknown> = {};
      for (const column of columns) {
        const value = (item as Record<string, unknown>)[column];
        // Each item is defused, not only the cell's start: in a locale whose list separator is `;`
        // a spreadsheet splits the cell, and `Action;=cmd|…` would open as a formula.
        row[column] = Array.isArray(value)
          ? value.map((v) => defused(String(v))).join(LIST_SEPARATOR)
          : value;
      }
      return row;
    });
  return {
    contentType: CSV_CONTENT_TYPE,
    chunk: (items, first) => stringify(rows(items), { ...options, header: first }),
    end: (empty) => (empty ? stringify([], { ...options, header: true }) : ''),
  };
}
