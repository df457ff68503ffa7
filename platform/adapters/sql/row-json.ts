/** How one output member is read from a row and written as JSON. */
export interface RowJsonMember {
  /** The member's name in the JSON object. */
  readonly key: string;
  /** The row's property (the SQL column) it comes from. */
  readonly column: string;
  readonly kind: 'number' | 'text' | 'list' | 'timestamp';
}

type RowJsonEncoder = (
  members: readonly RowJsonMember[],
) => (rows: readonly Readonly<Record<string, unknown>>[]) => string;

/**
 * Rows to JSON array items, each preceded by a comma (`,{...},{...}`). The code is row-json.cjs,
 * plain JavaScript that a read thread loads without a TypeScript loader; required by path (not
 * imported) so the compiler emits it beside this file and this is its one typed door.
 */
export const rowJsonEncoder: RowJsonEncoder = require('./row-json.cjs').rowJsonEncoder;
