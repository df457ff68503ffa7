/**
 * A frozen T-SQL migration: batches run in order in one transaction (CREATE TRIGGER must start a
 * batch). Written once by `npm run migration:new`, never regenerated; see the SQLite index.
 */
export interface TsqlMigration {
  readonly version: number;
  readonly name: string;
  readonly batches: readonly string[];
}
