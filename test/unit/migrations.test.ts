import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type * as DefinitionModule from '../../catalogue/definition';
import { ANIME_COLUMNS, type TargetColumn } from '../../catalogue/definition';
import { TSQL_MIGRATIONS } from '../../platform/adapters/mssql/migrations';
import { MIGRATIONS, migrate } from '../../platform/adapters/sqlite/migrations';
import { STUDIO_COLUMN } from '../support/fixtures';
import { withPatchedModule } from '../support/patched-module';

/** The stored columns, types and nullability of a migrated SQLite `animes`, besides id and bookkeeping. */
function sqliteColumns(db: Database.Database) {
  return (db.pragma('table_info(animes)') as { name: string; type: string; notnull: number }[])
    .filter((c) => !['id', 'version', 'created_at', 'updated_at'].includes(c.name))
    .map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 }));
}

/** What the definition says `animes` holds, in SQLite's terms. */
function expectedColumns(columns: readonly TargetColumn[]) {
  const type = { text: 'TEXT', enum: 'TEXT', integer: 'INTEGER', decimal: 'REAL', textList: 'TEXT' } as const;
  return columns.map((c) => ({
    name: c.kind === 'textList' ? `${c.column}_json` : c.column,
    type: type[c.kind],
    nullable: c.kind === 'textList' ? false : c.nullable,
  }));
}

/**
 * By name: a table's physical column order is no contract. ALTER TABLE puts a new column last,
 * wherever the definition lists it, and every statement names its columns (the recipe rehearsal
 * adds one in the middle of the definition and runs the store's contract suite over it).
 */
const byName = <T extends { name: string } | string>(columns: readonly T[]): T[] =>
  [...columns].sort((a, b) => {
    const [x, y] = [a, b].map((c) => (typeof c === 'string' ? c : c.name)) as [string, string];
    return x < y ? -1 : x > y ? 1 : 0;
  });

const freshDatabase = (migrations = MIGRATIONS) => {
  const db = new Database(':memory:');
  migrate(db, migrations);
  return db;
};

describe('versioned migrations', () => {
  it("give a fresh SQLite database exactly the definition's columns, types and nullability", () => {
    expect(byName(sqliteColumns(freshDatabase()))).toEqual(byName(expectedColumns(ANIME_COLUMNS)));
  });

  it('give the T-SQL animes table exactly the definition columns, in both chains', () => {
    const batches = TSQL_MIGRATIONS.flatMap((m) => m.batches);
    const created = batches.find((b) => b.startsWith('CREATE TABLE animes ('))!;
    const declared = [
      ...[...created.matchAll(/^\s+\[?(\w+)\]? [A-Z]/gm)].map((m) => m[1]!),
      ...batches.flatMap((b) =>
        // Computed columns (`ADD x AS ...`) derive from the definition's columns.
        [...b.matchAll(/^ALTER TABLE animes ADD \[?(\w+)\]? (?!AS )[A-Z]/g)].map((m) => m[1]!),
      ),
    ].filter((name) => !['id', 'version', 'created_at', 'updated_at', 'row_version'].includes(name));
    expect(byName(declared)).toEqual(byName(expectedColumns(ANIME_COLUMNS).map((c) => c.name)));
  });

  it('upgrade a SQLite database from before sources: its rows join the kaggle namespace, keyed by (source, sourceId)', () => {
    const db = freshDatabase(MIGRATIONS.filter((m) => m.version < 6));
    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO animes (source_id, title, type, genres_json, created_at, updated_at) VALUES ('356', 'Seeded', 'TV', '[]', ?, ?)",
    ).run(now, now);
    expect(
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version <= 6),
      ),
    ).toEqual([6]);
    expect(db.prepare('SELECT source, source_id, title FROM animes').all()).toEqual([
      { source: 'kaggle', source_id: '356', title: 'Seeded' },
    ]);
    const insert = db.prepare(
      "INSERT INTO animes (source, source_id, title, type, genres_json, created_at, updated_at) VALUES (?, '356', 'Other', 'TV', '[]', ?, ?)",
    );
    expect(() => insert.run('bangumi', now, now)).not.toThrow();
    expect(() => insert.run('kaggle', now, now)).toThrow(
      /UNIQUE constraint failed: animes.source, animes.source_id/,
    );
    db.close();
  });

  it('are frozen text: no migration file imports the definition it was generated from', () => {
    for (const dialect of ['sqlite', 'mssql']) {
      const dir = join(__dirname, '../../platform/adapters', dialect, 'migrations');
      for (const file of readdirSync(dir).filter((f) => /^\d{3}-/.test(f))) {
        const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/^import .*$/gm)].map((m) => m[0]);
        expect([file, imports]).toEqual([
          file,
          [`import type { ${dialect === 'sqlite' ? 'Sqlite' : 'Tsql'}Migration } from './migration';`],
        ]);
      }
    }
  });

  it('number each chain 1, 2, 3, ... without gaps or repeats', () => {
    for (const chain of [MIGRATIONS, TSQL_MIGRATIONS])
      expect(chain.map((m) => m.version)).toEqual(chain.map((_, i) => i + 1));
  });
});

describe('adding a column: the definition plus one migration per dialect (worked example)', () => {
  const studio = STUDIO_COLUMN;

  /** Loads the adapters and the HTTP schema against a definition with one more column. */
  const withStudioColumn = <T>(use: () => T) =>
    withPatchedModule<typeof DefinitionModule, T>(
      '../../catalogue/definition',
      (actual) => ({ ANIME_COLUMNS: [...actual.ANIME_COLUMNS, studio] as never }),
      use,
    );

  it('the generated migration brings a migrated database to the new definition, and records carry the field', async () => {
    const { db, statements, repository, schema } = withStudioColumn(() => {
      const { addColumnStatements, missingColumns } = require('../../platform/adapters/sql/column-migration');
      const { SqlAnimeRepository } = require('../../platform/adapters/sql/sql-anime-repository');
      const { SqliteExecutor } = require('../../platform/adapters/sqlite/sqlite-executor');
      const { SqliteWriteLock } = require('../../platform/adapters/sqlite/busy');
      const { AnimeInputSchema } = require('../../catalogue/schema');
      const db = freshDatabase();
      const missing = missingColumns(sqliteColumns(db).map((c) => c.name));
      expect(missing.map((c: TargetColumn) => c.column)).toEqual([studio.column]);
      const statements = addColumnStatements(missing);
      migrate(db, [
        ...MIGRATIONS,
        { version: MIGRATIONS.length + 1, name: studio.column, sql: statements.sqlite },
      ]);
      const repository = new SqlAnimeRepository(new SqliteExecutor(db, new SqliteWriteLock(db, 1000)));
      return { db, statements, repository, schema: AnimeInputSchema };
    });
    expect(byName(sqliteColumns(db))).toEqual(byName(expectedColumns([...ANIME_COLUMNS, studio])));
    expect(statements.tsql).toEqual([
      `ALTER TABLE animes ADD [${studio.column}] NVARCHAR(${studio.maxLength}) NULL`,
      `ALTER TABLE animes_staging ADD [${studio.column}] NVARCHAR(MAX) NULL`,
    ]);
    expect(schema.properties[studio.field]).toMatchObject({
      description: studio.description,
      example: studio.example,
    });
    const record = {
      source: 'kaggle',
      sourceId: 's-1',
      title: 'T',
      type: 'TV',
      year: null,
      score: null,
      episodes: null,
      genres: [],
      [studio.field]: 'Madhouse',
    };
    const { after } = await repository.create(record);
    expect(await repository.getById(after.id)).toMatchObject({ [studio.field]: 'Madhouse' });
    db.close();
  });

  it('refuses what it cannot decide for existing rows, naming the column', () => {
    const { addColumnStatements } = jest.requireActual('../../platform/adapters/sql/column-migration');
    expect(() => addColumnStatements([{ ...studio, nullable: false }])).toThrow(
      `${studio.column} is NOT NULL`,
    );
  });
});
