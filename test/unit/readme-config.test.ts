import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from '../../api/config';

describe('README configuration table', () => {
  it('documents every environment variable the config schema reads, and no others', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
    const documented = [...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ConfigSchema.properties).sort());
  });
});
