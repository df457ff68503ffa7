/**
 * A frozen, versioned step of the SQLite schema. `npm run migration:new -- <name>` writes the next
 * one, for both dialects, from what the definition has and the migrated schema lacks; after that
 * the text is never regenerated, so editing the definition never rewrites history. A test checks
 * that a freshly migrated database matches the definition column for column.
 */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
