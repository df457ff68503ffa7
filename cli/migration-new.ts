/**
 * `npm run migration:new -- <name>`: writes the next frozen migration for both dialects, filled
 * with what the definition has and a freshly migrated schema lacks (new nullable columns, and an
 * index for each column a filter or sort uses without one), and registers it. Review it, commit it, and never regenerate it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { TSQL_MIGRATIONS } from '../platform/adapters/mssql/migrations';
import { addColumnStatements, missingColumns } from '../platform/adapters/sql/column-migration';
import { addIndexStatements, unindexedColumns } from '../platform/adapters/sql/index-coverage';
import { MIGRATIONS, migrate } from '../platform/adapters/sqlite/migrations';

const USAGE = 'usage: npm run migration:new -- <name in kebab-case>';
const HELP = `${USAGE}

Writes the next frozen migration for SQLite and for SQL Server (platform/adapters/*/migrations/) and
registers it in each index: the columns the definition has and a freshly migrated schema lacks,
added as nullable, and an index for every column a filter (FILTERS) or a sort uses that has none.
An empty migration when the schema already matches: write that change by hand.
Review both files, commit them, and never edit them after.`;

let positionals: string[];
try {
  let values: { help?: boolean };
  ({ positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  }));
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const given = positionals[0];
if (!given || positionals.length > 1 || !/^[a-z][a-z0-9-]*$/.test(given)) {
  console.error(USAGE);
  process.exit(2);
}
const name: string = given;

const db = new Database(':memory:');
migrate(db);
const existing = (db.pragma('table_info(animes)') as { name: string }[]).map((c) => c.name);
db.close();
const added = missingColumns(existing);
const columnStatements = addColumnStatements(added);
const indexed = {
  sqlite: unindexedColumns(MIGRATIONS.map((m) => m.sql)),
  tsql: unindexedColumns(TSQL_MIGRATIONS.flatMap((m) => m.batches)),
};
const statements = {
  sqlite: [columnStatements.sqlite, ...addIndexStatements(indexed.sqlite).sqlite].filter(Boolean).join('\n'),
  tsql: [...columnStatements.tsql, ...addIndexStatements(indexed.tsql).tsql],
};
const changes = added.length + indexed.sqlite.length + indexed.tsql.length;

const quote = (text: string) => `\`${text.replace(/[`\\]/g, (ch) => `\\${ch}`).replace(/\$\{/g, '\\${')}\``;
const frozen =
  'Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.';

/** The adapters' folder: each dialect's migrations live in `<dialect>/migrations/`. */
const ADAPTERS = join(__dirname, '..', 'platform', 'adapters');

function write(dir: string, version: number, type: string, body: string) {
  const file = join(ADAPTERS, dir, 'migrations', `${String(version).padStart(3, '0')}-${name}.ts`);
  writeFileSync(
    file,
    `import type { ${type} } from './migration';\n\n// ${frozen}\nexport const migration: ${type} = {\n  version: ${version},\n  name: '${name}',\n${body}};\n`,
  );
  const index = join(ADAPTERS, dir, 'migrations', 'index.ts');
  // Named like the hand-written imports beside it (001-catalogue as catalogue).
  const alias = name.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  const text = `import { migration as ${alias} } from './${String(version).padStart(3, '0')}-${name}';\n${readFileSync(
    index,
    'utf8',
  ).replace(/(MIGRATIONS: readonly \w+\[\] = \[[^\]]*?)(\n\];)/, `$1\n  ${alias},$2`)}`;
  writeFileSync(index, text);
  written.push(file, index);
  console.log(
    `wrote ${file}${changes ? '' : ' (empty: the schema already matches the definition; write the change by hand)'}`,
  );
}

const written: string[] = [];
const sqliteVersion = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
const tsqlVersion = Math.max(...TSQL_MIGRATIONS.map((m) => m.version)) + 1;
write('sqlite', sqliteVersion, 'SqliteMigration', `  sql: ${quote(statements.sqlite)},\n`);
write(
  'mssql',
  tsqlVersion,
  'TsqlMigration',
  `  batches: [\n${statements.tsql.map((s) => `    ${quote(s)},\n`).join('')}  ],\n`,
);
// Formatted and imports sorted as the linter wants them, so the output passes `npm run lint` as written.
const biome = spawnSync(
  join(__dirname, '..', 'node_modules', '.bin', 'biome'),
  ['check', '--write', ...written],
  {
    encoding: 'utf8',
  },
);
if (biome.status !== 0) {
  console.error(`the written files do not pass the linter:\n${biome.stdout}${biome.stderr}`);
  process.exit(1);
}
console.log(`new columns: ${added.map((c) => c.column).join(', ') || 'none'}`);
console.log(`new indexes: ${indexed.sqlite.map((c) => c.column).join(', ') || 'none'}`);
