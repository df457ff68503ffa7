import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingProfile } from '../../catalogue/definition';
import { BUILT_IN_PROFILES, resolveProfile, synonymProblems } from '../../catalogue/profiles';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { mergeProcedure } from '../../platform/adapters/mssql/merge-procedure';
import { runTs, spawnTs } from '../support/cli';
import { listAll } from '../support/list-all';

/** Issue 17's mapping and CLI items: each checked through the CLI a user runs. */
const dir = mkdtempSync(join(tmpdir(), 'etl-cli-'));
const ALL = { field: 'id', descending: false } as const;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'id,name,kind,aired,rating,eps,tags';

/** `npm run etl` of one file with one mapping into one database, plus any other options. */
const etl = (input: string, profile: string, database: string, ...extra: string[]) =>
  runTs('cli/etl.ts', ['--input', input, '--profile', profile, '--database', database, ...extra]);
const mapping = (overrides: Record<string, unknown> = {}) => ({
  name: 'cli-test',
  description: HEADER,
  source: 'cli-test',
  delimiter: ',',
  fields: {
    sourceId: { from: 'id' },
    title: { from: 'name' },
    type: { from: 'kind', synonyms: { web: 'ONA' } },
    year: { from: 'aired' },
    score: { from: 'rating' },
    episodes: { from: 'eps' },
    genres: { from: 'tags', list: { format: 'delimited', separator: '|' } },
    ...overrides,
  },
});

describe('type synonyms match in any case, on both paths, and their targets are checked at load', () => {
  it('a lower-case key applies to any spelling of the value', async () => {
    const profile = file('synonyms.json', JSON.stringify(mapping()));
    const input = file(
      'web.csv',
      `${HEADER}\n1,Web one,web,2020,7,12,Action\n2,Web two,WEB,2020,7,12,Action\n3,Web three,Web,2020,7,12,\n`,
    );
    const database = join(dir, 'synonyms.db');
    const run = etl(input, profile, database, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ read: 3, valid: 3, rejected: 0 });
    const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
    expect((await listAll(store.repository, {}, ALL)).map((a) => a.type)).toEqual(['ONA', 'ONA', 'ONA']);
    await store.close();
    // The SQL Server merge procedure compares upper case with the same key.
    expect(mergeProcedure(resolveProfile(profile))).toContain("WHEN N'WEB' THEN N'ONA'");
  });

  it('a target outside the enum is exit 2 naming it; so are keys that differ in case only', () => {
    const bad = file(
      'bad-target.json',
      JSON.stringify(mapping({ type: { from: 'kind', synonyms: { web: 'NET' } } })),
    );
    const run = runTs('cli/etl.ts', [
      '--input',
      file('x.csv', `${HEADER}\n`),
      '--profile',
      bad,
      '--database',
      join(dir, 'x.db'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fields.type.synonyms["web"] maps to "NET", which is not one of');
    const twice = {
      ...mapping(),
      fields: { ...mapping().fields, type: { from: 'kind', synonyms: { web: 'ONA', WEB: 'TV' } } },
    };
    expect(synonymProblems(twice as unknown as MappingProfile)).toEqual([
      'fields.type.synonyms has "WEB" twice (keys ignore case) with different targets',
    ]);
    for (const profile of Object.values(BUILT_IN_PROFILES)) expect(synonymProblems(profile)).toEqual([]);
  });
});

describe('a mapped column the file lacks', () => {
  it('is exit 2 naming it, and writes nothing', () => {
    const profile = file('absent.json', JSON.stringify(mapping({ year: { from: 'released' } })));
    const database = join(dir, 'absent.db');
    const run = runTs('cli/etl.ts', [
      '--input',
      file('a.csv', `${HEADER}\n1,One,TV,2020,7,12,Action\n`),
      '--profile',
      profile,
      '--database',
      database,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing required column(s) released');
  });
});

describe('a run that fails, or a dry run, creates and changes no database file', () => {
  const good = () => file('good.csv', `${HEADER}\n1,One,TV,2020,7,12,Action\n`);
  const lacking = () => file('lacking.csv', 'id,name\n1,One\n');
  const profile = () => file('plain.json', JSON.stringify(mapping()));
  /** The file's bytes and modification time, or undefined when it does not exist. */
  const snapshot = (path: string) =>
    existsSync(path)
      ? { bytes: readFileSync(path).toString('base64'), mtime: statSync(path).mtimeMs }
      : undefined;
  const cases: [string, () => string[], number][] = [
    ['an input that does not exist', () => ['--input', join(dir, 'no-such.csv'), '--profile', profile()], 2],
    ['a file lacking required columns', () => ['--input', lacking(), '--profile', profile()], 2],
    ['an unknown profile', () => ['--input', good(), '--profile', 'no-such-profile'], 2],
    ['a dry run', () => ['--input', good(), '--profile', profile(), '--dry-run'], 0],
    [
      'too many rejects',
      () => [
        '--input',
        file('bad.csv', `${HEADER}\n1,Bad,X,2020,7,12,\n`),
        '--profile',
        profile(),
        '--max-rejects',
        '0',
      ],
      3,
    ],
  ];

  for (const [what, args, code] of cases) {
    it(`${what} (exit ${code}) creates no file, named by --database or by DATABASE_PATH`, () => {
      const byFlag = join(dir, `new-${code}-flag.db`);
      expect(runTs('cli/etl.ts', [...args(), '--database', byFlag]).code).toBe(code);
      expect(existsSync(byFlag)).toBe(false);
      const byEnv = join(dir, `new-${code}-env.db`);
      expect(runTs('cli/etl.ts', args(), { DATABASE_PATH: byEnv }).code).toBe(code);
      expect(existsSync(byEnv)).toBe(false);
    });
  }

  it('leaves an existing database byte for byte as it was, on every one of those runs', () => {
    const database = join(dir, 'existing.db');
    expect(etl(good(), profile(), database).code).toBe(0);
    const before = snapshot(database);
    for (const [, args, code] of cases) {
      expect(runTs('cli/etl.ts', [...args(), '--database', database]).code).toBe(code);
      expect(snapshot(database)).toEqual(before);
    }
  });
});

describe('a long load reports its progress and can be interrupted', () => {
  const rows = (n: number) =>
    `${HEADER}\n${Array.from({ length: n }, (_, i) => `${i + 1},Title ${i + 1},TV,2020,7,12,Action`).join('\n')}\n`;

  it('progress follows the rows parsed, not the bytes read ahead of them', () => {
    const run = etl(
      file('progress.csv', rows(8404)),
      file('plain.json', JSON.stringify(mapping())),
      join(dir, 'progress.db'),
    );
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('progress '));
    const counts = lines.map((line) => Number(/\((\d+) rows\)/.exec(line)![1]));
    // Batches of 2,000: four reports before the last rows, each with more rows than the one before.
    expect(counts.length).toBeGreaterThanOrEqual(4);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(lines[0]).not.toContain('100%');
  });

  it('Ctrl-C rolls the load back, says so and exits 130; the database is as it was', async () => {
    const database = join(dir, 'interrupted.db');
    const profile = file('plain.json', JSON.stringify(mapping()));
    expect(etl(file('one.csv', `${HEADER}\n1,Kept,TV,2020,7,12,\n`), profile, database).code).toBe(0);
    const before = readFileSync(database).toString('base64');
    const child = spawnTs('cli/etl.ts', [
      '--input',
      file('large.csv', rows(200_000)),
      '--profile',
      profile,
      '--database',
      database,
    ]);
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('progress ') && !child.killed) child.kill('SIGINT');
    });
    expect(await exit).toBe(130);
    expect(stderr).toContain('etl: interrupted: rolled back, nothing written');
    expect(readFileSync(database).toString('base64')).toBe(before);
  }, 60_000);
});

describe('--max-rejects', () => {
  const input = () =>
    file(
      'mostly-bad.csv',
      `${HEADER}\n1,Good,TV,2020,7,12,\n2,Good too,TV,2020,7,12,\n3,Bad,X,2020,7,12,\n4,Bad,X,2020,7,12,\n5,Bad,X,2020,7,12,\n6,Bad,X,2020,7,12,\n`,
    );

  it('over the limit, the whole load is rolled back and the exit code is 3; under it, the load goes on', async () => {
    const profile = file('limits.json', JSON.stringify(mapping()));
    const database = join(dir, 'limits.db');
    const seed = file('seed.csv', `${HEADER}\n100,Kept,TV,2001,8,24,\n`);
    expect(etl(seed, profile, database).code).toBe(0);
    for (const limit of ['50%', '3']) {
      const run = runTs('cli/etl.ts', [
        '--input',
        input(),
        '--profile',
        profile,
        '--database',
        database,
        '--max-rejects',
        limit,
      ]);
      expect([limit, run.code]).toEqual([limit, 3]);
      expect(run.stderr).toMatch(/rows read were rejected, over the limit of .*: the load was rolled back/);
    }
    const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
    expect((await listAll(store.repository, {}, ALL)).map((a) => a.title)).toEqual(['Kept']);
    await store.close();
    const within = etl(input(), profile, database, '--max-rejects', '70%', '--json');
    expect(within.code).toBe(0);
    expect(JSON.parse(within.stdout)).toMatchObject({ valid: 2, rejected: 4, inserted: 2 });
    // Negative control: without a limit, today's behaviour (exit 0 with 4 of 6 rejected) stays the default.
    expect(etl(input(), profile, database).code).toBe(0);
  });

  it('refuses a limit it cannot read', () => {
    const run = runTs('cli/etl.ts', ['--input', input(), '--max-rejects', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-rejects must be a row count (10) or a percentage (5%), got "lots"');
  });
});

describe('npm run data:generate', () => {
  it('refuses to overwrite an existing file without --force', () => {
    const out = join(dir, 'generated.csv');
    expect(runTs('etl/generate.ts', ['--rows', '5', '--out', out]).code).toBe(0);
    const first = readFileSync(out, 'utf8');
    const again = runTs('etl/generate.ts', ['--rows', '7', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${out} exists: pass --force to overwrite it`);
    expect(readFileSync(out, 'utf8')).toBe(first);
    expect(runTs('etl/generate.ts', ['--rows', '7', '--out', out, '--force']).code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(8);
  });

  it('names a bad number before anything else, even with an existing file at --out', () => {
    const out = join(dir, 'existing-out.csv');
    writeFileSync(out, 'kept');
    for (const [flag, value] of [
      ['--rows', 'abc'],
      ['--rows', '1e3'],
      ['--rows', '-1'],
      ['--seed', '4.5'],
    ] as const) {
      const run = runTs('etl/generate.ts', [`${flag}=${value}`, '--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        `${flag} must be ${flag === '--rows' ? 'a non-negative integer' : 'an integer'}, got "${value}"`,
      );
    }
    expect(readFileSync(out, 'utf8')).toBe('kept');
  });

  it('writes no URL of a real site', () => {
    const out = join(dir, 'urls.csv');
    runTs('etl/generate.ts', ['--rows', '200', '--out', out]);
    expect(existsSync(out)).toBe(true);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('myanimelist.net');
    expect(text).toContain('https://example.org/anime/1,');
  });
});

describe('a source id repeated within one file', () => {
  it('the later row wins, deterministically; duplicates are counted and listed; a re-run is a no-op', async () => {
    const profile = file('duplicates.json', JSON.stringify(mapping()));
    const input = file(
      'duplicates.csv',
      `${HEADER}\n1,First take,TV,2001,7,12,Action\n2,Other,TV,2002,6,12,\n1,Second take,MOVIE,2003,8,1,Drama\n`,
    );
    const database = join(dir, 'duplicates.db');
    const rejects = join(dir, 'duplicates-rejects.csv');
    const run = (extra: string[] = []) => etl(input, profile, database, '--json', ...extra);
    const first = run(['--rejects', rejects]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      read: 3,
      valid: 3,
      rejected: 0,
      duplicates: 1,
      inserted: 2,
    });
    expect(readFileSync(rejects, 'utf8').trim().split('\n')[1]).toBe(
      '1,1,,,,,,,"superseded by row 3, which has the same source id (the later row wins)"',
    );
    const store = () => openSqliteCatalogueStore({ DATABASE_PATH: database });
    const read = async () => {
      const s = store();
      const rows = (await listAll(s.repository, {}, ALL)).map((a) => [a.title, a.type, a.version]);
      const version = await s.repository.dataVersion();
      await s.close();
      return { rows, version };
    };
    const before = await read();
    expect(before.rows).toEqual([
      ['Second take', 'MOVIE', 1],
      ['Other', 'TV', 1],
    ]);
    for (let i = 0; i < 2; i++) {
      const again = run();
      expect(JSON.parse(again.stdout)).toMatchObject({
        inserted: 0,
        updated: 0,
        unchanged: 2,
        duplicates: 1,
      });
      expect(await read()).toEqual(before);
    }
  });
});

describe('a partial mapping', () => {
  it('updates the fields it maps and keeps the stored value of every other field', async () => {
    const full = file('partial-full.json', JSON.stringify(mapping()));
    const database = join(dir, 'partial.db');
    const seed = file('partial-seed.csv', `${HEADER}\n1,Kept title,TV,2001,7,24,Action|Drama\n`);
    expect(etl(seed, full, database).code).toBe(0);
    const scoresOnly = {
      name: 'scores-only',
      description: 'id,name,kind,rating',
      // The same source as the full mapping: the same rows, a partial update of them.
      source: 'cli-test',
      delimiter: ',',
      fields: {
        sourceId: { from: 'id' },
        title: { from: 'name' },
        type: { from: 'kind' },
        score: { from: 'rating' },
      },
    };
    const partial = file('partial.json', JSON.stringify(scoresOnly));
    const update = file('partial-update.csv', 'id,name,kind,rating\n1,Kept title,TV,9.5\n2,New one,OVA,6\n');
    const run = etl(update, partial, database, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ inserted: 1, updated: 1 });
    const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
    const rows = (await listAll(store.repository, {}, ALL)).map((a) => [
      a.title,
      a.year,
      a.score,
      a.episodes,
      a.genres,
    ]);
    expect(rows).toEqual([
      ['Kept title', 2001, 9.5, 24, ['Action', 'Drama']],
      ['New one', null, 6, null, []],
    ]);
    expect((await store.repository.genres()).map((g) => g.value).sort()).toEqual(['Action', 'Drama']);
    await store.close();
  });
});

describe('the mapping file has a JSON Schema, and init-mapping writes a starting one', () => {
  it('guesses columns by name, names what it could not guess, and the result loads', async () => {
    const input = file(
      'guess.csv',
      'ID;Name;Media Type;Start Year;Mean;Num Episodes;Tags\n7;Guessed;tv;2011;8.1;13;Action|Drama\n',
    );
    const out = join(dir, 'guessed.json');
    const run = runTs('cli/etl.ts', ['init-mapping', '--input', input, '--out', out]);
    expect(run.code).toBe(0);
    const guessed = JSON.parse(readFileSync(out, 'utf8'));
    expect(guessed).toMatchObject({
      source: 'guess',
      delimiter: ';',
      fields: {
        sourceId: { from: 'ID' },
        title: { from: 'Name' },
        type: { from: 'Media Type' },
        year: { from: 'Start Year' },
        score: { from: 'Mean' },
        episodes: { from: 'Num Episodes' },
        genres: { from: 'Tags', list: { format: 'delimited', separator: '|' } },
      },
    });
    expect(existsSync(join(dir, guessed.$schema))).toBe(true);
    expect(runTs('cli/etl.ts', ['init-mapping', '--input', input, '--out', out]).code).toBe(2);
    const database = join(dir, 'guessed.db');
    const load = etl(input, out, database, '--json');
    expect(JSON.parse(load.stdout)).toMatchObject({ valid: 1, inserted: 1 });
    const sparse = runTs('cli/etl.ts', [
      'init-mapping',
      '--input',
      file('sparse.csv', 'uid,title,kind\n'),
      '--out',
      join(dir, 'sparse.json'),
    ]);
    expect(sparse.stdout).toContain(
      'not guessed (add them by hand, or leave them out): year, score, episodes, genres',
    );
  });
});
