'use strict';
// One of the API's SQLite read threads (a piscina task function). Plain JavaScript, so the same
// file runs under tsx, under jest and from dist/ without a TypeScript loader in the thread.
// Each thread has its own read-only connection: WAL gives it a snapshot per statement, or one
// for every statement of a task (one transaction), while the main connection writes.
const Database = require('better-sqlite3');
const { workerData } = require('piscina');
const { rowJsonEncoder } = require('../sql/row-json.cjs');

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

const nextMessage = (port) => new Promise((resolve) => port.once('message', resolve));

/**
 * A list-all, a chunk at a time, on its own connection (its own snapshot): the main thread asks
 * for each chunk ('more'), so the rows read follow the client, and a thread serves other reads
 * between chunks. 'close', or the consumer's port closing, ends it early.
 */
async function stream({ query, chunkRows, members }, port) {
  // With `members`, each chunk leaves as JSON bytes (moved, not copied): the event loop neither
  // rebuilds the rows nor serializes them.
  const encode = members ? rowJsonEncoder(members) : undefined;
  const utf8 = new TextEncoder();
  const reader = new Database(workerData.path, {
    readonly: true,
    fileMustExist: true,
    timeout: workerData.busyTimeoutMs,
  });
  const rows = reader.prepare(query.text).iterate(...query.params);
  port.once('close', () => port.emit('message', 'close'));
  try {
    for (;;) {
      if ((await nextMessage(port)) !== 'more') break;
      const chunk = [];
      let done = false;
      while (chunk.length < chunkRows) {
        const step = rows.next();
        if (step.done) {
          done = true;
          break;
        }
        chunk.push(step.value);
      }
      if (encode) {
        const json = utf8.encode(encode(chunk));
        port.postMessage({ json, done }, [json.buffer]);
      } else port.postMessage({ rows: chunk, done });
      if (done) break;
    }
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  } finally {
    rows.return();
    reader.close();
    port.close();
  }
}

module.exports = (task) =>
  task.stream
    ? stream(task.stream, task.port)
    : task.queries.length === 1
      ? [rowsOf(task.queries[0])]
      : inOneSnapshot(task.queries);
