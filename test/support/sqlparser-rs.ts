import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** For each T-SQL text, null when datafusion-sqlparser-rs's MsSqlDialect parses it, else its error. */
export function sqlparserRsErrors(statements: readonly string[]): (string | null)[] {
  const result = spawnSync(process.execPath, [join(__dirname, 'sqlparser-rs-check.mjs')], {
    input: JSON.stringify(statements),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`sqlparser-rs check failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
