'use strict';
// One of the API's SQLite read threads (a piscina task function). Plain JavaScript, so the same
// file runs under tsx, under jest and from dist/ without a TypeScript loader in the thread.
// Each thread has its own read-only connection: WAL gives it a snapshot per statement, or one
// for every statement of a task (one transaction), while the main connection writes.
const Database = require('better-sqlite3');
const { workerData } = require('piscina');

const db = new Database(workerData.path, {
  readonly: true,
  fileMustExist: true,
  timeout: workerData.busyTimeoutMs,
});
// The main connection's page cache (open-database.ts): without it a scan of a catalogue larger
// than the 2 MB default rereads its pages from the OS on every request.
db.pragma('cache_size = -65536');
/** Prepared statements kept per text; list queries vary with their filters, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 256;
const statements = new Map();

function prepared(text) {
  let statement = statements.get(text);
  if (statement) statements.delete(text);
  else {
    statement = db.prepare(text);
    if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value);
  }
  statements.set(text, statement);
  return statement;
}

const rowsOf = (query) => prepared(query.text).all(...query.params);
const inOneSnapshot = db.transaction((queries) => queries.map(rowsOf));

module.exports = ({ queries }) => (queries.length === 1 ? [rowsOf(queries[0])] : inOneSnapshot(queries));
