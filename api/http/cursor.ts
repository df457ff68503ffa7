import type { AnimeSort, SeekPosition } from '../core/domain/query';
import { badRequest } from './problem';

/** Cursors are opaque to clients: base64url JSON of the sort they belong to and the seek position. */
export function encodeCursor(sort: AnimeSort, position: SeekPosition): string {
  const payload = { s: `${sort.descending ? '-' : ''}${sort.field}`, v: position.value, i: position.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string, sort: AnimeSort): SeekPosition {
  const invalid = (reason: string) => badRequest([{ name: 'cursor', reason }]);
  let payload: { s?: unknown; v?: unknown; i?: unknown };
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor returned by this API');
  }
  const expected = `${sort.descending ? '-' : ''}${sort.field}`;
  if (typeof payload !== 'object' || payload === null || !Number.isSafeInteger(payload.i)) {
    throw invalid('is not a cursor returned by this API');
  }
  if (payload.s !== expected) throw invalid(`belongs to sort=${String(payload.s)}, not sort=${expected}`);
  const valueType = sort.field === 'title' ? 'string' : 'number';
  const value = payload.v;
  const nullable = sort.field === 'score' || sort.field === 'year';
  if (
    !(typeof value === valueType || (nullable && value === null)) ||
    (sort.field === 'id' && value !== payload.i)
  ) {
    throw invalid('is not a cursor returned by this API');
  }
  return { value: value as SeekPosition['value'], id: payload.i as number };
}
