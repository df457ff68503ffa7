/**
 * A record's entity-tag: its id and version (`"12.7"`). Every committed change of the row moves
 * its version, so the tag names exactly one state of the record, whatever the cache did meanwhile:
 * what a client took from GET, a POST or a write's answer is what it sends back in If-Match.
 */
export function recordEtag(record: { readonly id: number; readonly version: number }): string {
  return `"${record.id}.${record.version}"`;
}

/** The version a record tag names for `id`, or undefined when it is not a tag of that record. */
export function versionInRecordEtag(tag: string, id: number): number | undefined {
  const match = /^"(\d{1,15})\.(\d{1,15})(?:-(?:gzip|br))?"$/.exec(tag);
  return match && Number(match[1]) === id ? Number(match[2]) : undefined;
}
