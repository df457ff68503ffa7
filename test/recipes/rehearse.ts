/**
 * `npm run recipes:rehearse`: follows docs/architecture.md's "Where to change X" for a column and
 * for a filter, literally, in a scratch copy of this checkout, then runs the type check, the
 * linter and the fast and store-contract tiers there. It fails when a recipe needs a file the docs
 * do not name: a test that breaks (its expectations did not derive from the definition), a
 * generator whose output does not pass the linter, or a changed file outside the recipe's rows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOCS = join(ROOT, 'docs', 'architecture.md');

/** What each command the recipes name writes (the generators' outputs). */
const COMMAND_OUTPUTS: Record<string, readonly string[]> = {
  'npm run migration:new': ['platform/adapters/sqlite/migrations/', 'platform/adapters/mssql/migrations/'],
  'npm run generate': ['api/client/anime-api.ts', 'catalogue/mapping.schema.json', '.github/workflows/'],
};

/** The recipe rows' cells: the files and commands the docs name for a column and for a filter. */
function namedInDocs(): string[] {
  const rows = readFileSync(DOCS, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| a column |') || line.startsWith('| a filter |'));
  if (rows.length !== 2)
    throw new Error(`expected the column and filter rows in ${DOCS}, found ${rows.length}`);
  const named = rows.flatMap((row) => [...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  return named.flatMap((item) => {
    const command = Object.keys(COMMAND_OUTPUTS).find((c) => item.startsWith(c));
    return command ? COMMAND_OUTPUTS[command]! : [item];
  });
}

/** Inserts `text` before the first `anchor` in `file` (relative to the scratch copy), or fails naming both. */
function insertBefore(dir: string, file: string, anchor: string | RegExp, text: string) {
  const path = join(dir, file);
  const source = readFileSync(path, 'utf8');
  const at = typeof anchor === 'string' ? source.indexOf(anchor) : source.search(anchor);
  if (at < 0)
    throw new Error(`${file}: the recipe's anchor ${anchor} is gone; update test/recipes/rehearse.ts`);
  writeFileSync(path, source.slice(0, at) + text + source.slice(at));
}

/**
 * The worked example's quoted migrations (a \`// path\` line, then the statements) are what
 * migration:new wrote: the same file names, so the docs' numbers are not stale, and each quoted
 * statement in the file.
 */
function quotedMigrationsMatch(dir: string, heading: string) {
  const docs = readFileSync(DOCS, 'utf8');
  const section = docs.slice(docs.indexOf(`### ${heading}`));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`no quoted migrations under "${heading}" in ${DOCS}`);
  for (const part of block.split(/^\/\/ /m).slice(1)) {
    const [path, ...body] = part.split('\n');
    let written: string;
    try {
      written = readFileSync(join(dir, path!.trim()), 'utf8');
    } catch {
      throw new Error(`docs quote ${path} but migration:new wrote no such file (stale numbers?)`);
    }
    for (const statement of body.join('\n').matchAll(/`([^`]+)`/g))
      if (!written.includes(statement[1]!))
        throw new Error(`${path} does not contain the quoted ${statement[1]}`);
  }
}

function run(dir: string, step: string, command: string, args: readonly string[]) {
  process.stdout.write(`== ${step}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
    throw new Error(`${step} failed (exit ${result.status}): the recipe needs more than the docs say`);
  }
}

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recipes-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(dir, file));
    } catch {
      // listed but deleted in the working tree
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=recipes', '-c', 'user.email=recipes@example.invalid', 'commit', '-qm', 'before');
  return dir;
}

function main() {
  const dir = scratchCopy();
  try {
    // The column recipe: the definition (with an example), migration:new, generate, the profile that
    // has the column, init-mapping's spellings. The column goes in the middle of the list, not at
    // its end: a database migrated before it appends it physically last, so nothing may depend on
    // the definition's order matching the table's.
    insertBefore(
      dir,
      'catalogue/definition.ts',
      /\n {2}\{\n {4}column: 'type',/,
      `
  {
    column: 'studio',
    field: 'studio',
    kind: 'text',
    maxLength: 200,
    nullable: true,
    description: 'Animation studio.',
    example: 'Sunrise',
  },`,
    );
    run(dir, 'column', 'npm', ['run', '-s', 'migration:new', '--', 'add-studio']);
    quotedMigrationsMatch(dir, 'Worked example: adding a column');
    insertBefore(
      dir,
      'catalogue/profiles/mal-export.ts',
      /\n {4}originalTitle: /,
      "\n    studio: { from: 'studios', nullTokens: [''] },",
    );
    insertBefore(
      dir,
      'etl/init-mapping.ts',
      /\n\};/,
      "\n  studio: ['studio', 'studios', 'animationstudio'],",
    );
    // The filter recipe: one FILTERS entry, then the index migration for its column.
    insertBefore(
      dir,
      'platform/core/domain/filters.ts',
      '] as const satisfies readonly FilterDefinition[];',
      `  {
    param: 'minEpisodes',
    field: 'episodes',
    kind: 'min',
    tagged: false,
    description: 'At least this many episodes',
  },
`,
    );
    run(dir, 'filter', 'npm', ['run', '-s', 'migration:new', '--', 'episodes-index']);
    run(dir, 'generate', 'npm', ['run', '-s', 'generate']);

    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: dir,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    const named = namedInDocs();
    const unnamed = changed.filter((file) => !named.some((prefix) => file.startsWith(prefix)));
    console.log(`changed: ${changed.join(', ')}`);
    if (unnamed.length)
      throw new Error(`the recipes changed files the docs do not name: ${unnamed.join(', ')}`);
    for (const expected of ['add-studio', 'episodes-index'])
      if (!changed.some((file) => file.includes(expected)))
        throw new Error(`migration:new wrote no ${expected} migration`);
    const index = readFileSync(
      join(dir, changed.find((f) => f.includes('sqlite') && f.includes('episodes-index'))!),
      'utf8',
    );
    if (!index.includes('CREATE INDEX ix_animes_episodes'))
      throw new Error('the episodes-index migration creates no index');

    run(dir, 'type check', 'npm', ['run', '-s', 'typecheck']);
    run(dir, 'lint', 'npm', ['run', '-s', 'lint']);
    run(dir, 'tests', 'npx', [
      'jest',
      '--silent',
      'test/unit',
      'test/infra',
      'test/contract/sqlite-store.contract.test.ts',
    ]);
    console.log('both recipes work as docs/architecture.md writes them');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HELP = `usage: npm run recipes:rehearse

Follows docs/architecture.md's recipes for a column (studio) and a filter (minEpisodes) in a
scratch copy of this checkout, then runs the type check, the linter and the unit, infra and SQLite
contract tests there. Exit 1 naming what the recipe needed beyond what the docs say; the checkout
itself is never changed.`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
if (process.argv.length > 2) {
  console.error(`unknown arguments: ${process.argv.slice(2).join(' ')}\n${HELP}`);
  process.exit(2);
}

try {
  main();
} catch (error) {
  console.error(`recipes:rehearse: ${(error as Error).message}`);
  process.exit(1);
}
