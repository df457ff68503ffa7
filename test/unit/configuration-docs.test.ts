import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from '../../platform/config';

describe('the configuration reference (docs/configuration.md)', () => {
  it('documents every environment variable the config schema reads, and no others', () => {
    const reference = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    const documented = [...reference.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ConfigSchema.properties).sort());
  });

  it('is what the README links to, and the README stays short', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain('(docs/configuration.md)');
    expect(readme.split('\n').length).toBeLessThan(200);
  });
});
