import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TOP = ['api', 'etl', 'infra', 'pipelines', 'test', 'catalogue', 'docs', '.ci', '.github'];
/** A path the docs quote in backticks: from a top-level folder of the repository, to a file or a folder. */
const QUOTED_PATH = new RegExp(
  `\`((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w./@-]*)\``,
  'g',
);

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

/** The quoted paths of one text that name nothing in the tree (a glob or a placeholder is not a path). */
function missingPaths(text: string, exists: (path: string) => boolean): string[] {
  const missing = new Set<string>();
  for (const [, path] of text.matchAll(QUOTED_PATH)) {
    if (/[*<>{}]|\.\.\./.test(path!) || path!.includes('NNN')) continue;
    if (!exists(path!.replace(/[.,:;]+$/, ''))) missing.add(path!);
  }
  return [...missing];
}

/** Files the docs tell a user to add, which a fresh clone therefore lacks. */
const ADDED_BY_THE_USER = new Set([
  // The provider lock a release job uploads, committed once (docs/deployment.md).
  'infra/.terraform.lock.hcl',
]);

describe('the docs name files that exist', () => {
  const exists = (path: string) => ADDED_BY_THE_USER.has(path) || existsSync(join(ROOT, path));

  it.each(markdownFiles())('%s', (file) => {
    expect(missingPaths(readFileSync(join(ROOT, file), 'utf8'), exists)).toEqual([]);
  });

  it('names a quoted path that does not exist (negative control)', () => {
    const text = 'the read path is in `api/http/caching-responder.ts` and `api/http/representation.ts`';
    expect(missingPaths(text, exists)).toEqual(['api/http/representation.ts']);
  });
});
