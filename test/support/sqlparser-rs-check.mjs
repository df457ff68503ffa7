// Parses T-SQL with datafusion-sqlparser-rs (WASM, MsSqlDialect) in a plain node process: jest's
// VM cannot load the ES module the package imports. Reads a JSON array of statements on stdin and
// writes, for each, null or the parser's error.
import { readFileSync } from 'node:fs';
import { init, parse } from '@guanmingchiu/sqlparser-ts';

const statements = JSON.parse(readFileSync(0, 'utf8'));
await init();
const errors = statements.map((sql) => {
  try {
    parse(sql, 'mssql');
    return null;
  } catch (error) {
    return String(error instanceof Error ? error.message : error);
  }
});
process.stdout.write(JSON.stringify(errors));
