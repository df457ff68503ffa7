import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runTs } from '../support/cli';

const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;

/** Scripts that are not commands a user runs with arguments, each with the reason. */
const NOT_COMMANDS: Record<string, string> = {
  'start:prod': 'the same entry point as start, compiled (start covers its help)',
};
const isBench = (name: string) => name.startsWith('bench:') || name === 'loadtest';

/** Every npm script that runs one file of ours with tsx or bash: what a user calls a CLI. */
const commands = Object.entries(scripts)
  .map(([name, command]) => ({ name, match: /^(tsx|bash) (\S+\.(?:ts|sh))$/.exec(command) }))
  .filter(({ name, match }) => match && !isBench(name) && !(name in NOT_COMMANDS))
  .map(({ name, match }) => ({ name, runner: match![1]!, file: match![2]! }));

/** What a command's help must say beyond its usage line. */
const EXPECTED: Record<string, string[]> = {
  etl: ['Built-in profiles:', 'kaggle-animes', 'mal-export', '"synonyms"', 'Exit codes:', '130'],
  'data:generate': ['--force', 'example.org'],
  'admin:grant': ['last\nadmin cannot be demoted'],
  'migration:new': ['frozen'],
  bootstrap: ['once per subscription'],
  start: ['docs/configuration.md'],
};

describe('every CLI answers --help with its usage and exit 0', () => {
  it('finds the commands in package.json (not vacuous)', () => {
    expect(commands.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'start',
        'etl',
        'migration:new',
        'bootstrap',
        'pipelines:build',
        'deploy:rehearse',
      ]),
    );
  });

  it.each(commands)('npm run $name -- --help', ({ name, runner, file }) => {
    const run =
      runner === 'bash'
        ? (({ status, stdout, stderr }) => ({ code: status, stdout, stderr }))(
            spawnSync('bash', [join(ROOT, file), '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }),
          )
        : runTs(file, ['--help']);
    expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 0, stderr: '' });
    expect(run.stdout).toContain(`usage: npm ${name === 'start' ? 'start' : `run ${name}`}`);
    for (const text of EXPECTED[name] ?? []) expect(run.stdout).toContain(text);
  });
});
