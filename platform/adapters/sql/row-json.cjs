'use strict';
// Rows straight to JSON text, without building the domain objects first: what a list-all's rows
// become on a SQLite read thread (so only bytes cross to the event loop) and, for a store without
// threads, on the event loop. Plain JavaScript so a thread can load it without a TypeScript
// loader. The members come from the dataset definition (anime-row.ts); the output is byte for byte
// JSON.stringify of the record animeFromRow builds, which the store contract suite holds it to.

const encoders = {
  /** An integer or a decimal: drivers may return a decimal as text. JSON has no NaN: null. */
  number: (value) => (value === null || value === undefined ? 'null' : JSON.stringify(Number(value))),
  text: (value) => (value === null || value === undefined ? 'null' : JSON.stringify(String(value))),
  /** A list is stored as JSON text beside its link table; parsed and re-encoded, never trusted as is. */
  list: (value) => (value === null || value === undefined ? '[]' : JSON.stringify(JSON.parse(String(value)))),
  /** SQLite stores ISO-8601 text, kept as it is; tedious returns a Date. */
  timestamp: (value) => JSON.stringify(value instanceof Date ? value.toISOString() : String(value)),
};

/**
 * The function that writes rows as JSON array items, each preceded by a comma:
 * `,{"id":1,...},{"id":2,...}`. A consumer turns the first comma of a list into `[`.
 * `members` are `{ key, column, kind }` in output order; `kind` is one of `encoders`.
 */
function rowJsonEncoder(members) {
  const parts = members.map(({ key, column, kind }, index) => {
    const encode = encoders[kind];
    if (!encode) throw new Error(`no JSON encoding for a column of kind ${JSON.stringify(kind)} (${column})`);
    return { prefix: `${index ? ',' : '{'}${JSON.stringify(key)}:`, column, encode };
  });
  return (rows) => {
    let text = '';
    for (const row of rows) {
      text += ',';
      for (const { prefix, column, encode } of parts) text += prefix + encode(row[column]);
      text += '}';
    }
    return text;
  };
}

module.exports = { rowJsonEncoder };
