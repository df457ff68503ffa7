import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mappingFileSchema } from '../catalogue/profiles';

/** Writes catalogue/mapping.schema.json; with --check, fails when the committed file differs. */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm run mapping:schema [-- --check]

Writes catalogue/mapping.schema.json, the JSON Schema of ETL mapping files, derived from the
dataset definition. --check writes nothing and exits 1 when the committed file differs.`);
  process.exit(0);
}
const path = join(__dirname, '..', 'catalogue', 'mapping.schema.json');
const rendered = `${JSON.stringify(mappingFileSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current !== rendered) {
    console.error('catalogue/mapping.schema.json differs from the definition: run npm run mapping:schema');
    process.exit(1);
  }
} else {
  writeFileSync(path, rendered);
  console.log('wrote catalogue/mapping.schema.json');
}
