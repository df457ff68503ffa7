import {
  type AnimeSort,
  type SeekPosition,
  type SortValue,
  sortText,
} from '../../platform/core/domain/query';
import { badRequest } from './problem';

/**
 * Cursors are opaque to clients: base64url JSON of the sort they belong to (`s`), the values of
 * its keys (`v`: one value, or a list for a sort of several keys) and the id (`i`).
 */
export function encodeCursor(sort: AnimeSort, position: SeekPosition): string {
  const v = position.thenBy ? [position.value, ...position.thenBy] : position.value;
  return Buffer.from(JSON.stringify({ s: sortText(sort), v, i: position.id })).toString('base64url');
}

const NULLABLE = new Set(['score', 'year']);

export function decodeCursor(cursor: string, sort: AnimeSort): SeekPosition {
  const foreign = () => badRequest([{ name: 'cursor', reason: 'is not a cursor returned by this API' }]);
  let payload: { s?: unknown; v?: unknown; i?: unknown };
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw foreign();
  }
  if (typeof payload !== 'object' || payload === null || !Number.isSafeInteger(payload.i)) throw foreign();
  const expected = sortText(sort);
  if (payload.s !== expected)
    throw badRequest([
      { name: 'cursor', reason: `belongs to sort=${String(payload.s)}, not sort=${expected}` },
    ]);
  const keys = [sort, ...(sort.thenBy ?? [])];
  const values = sort.thenBy ? payload.v : [payload.v];
  if (!Array.isArray(values) || values.length !== keys.length) throw foreign();
  const id = payload.i as number;
  keys.forEach((key, k) => {
    const value = values[k];
    const fits =
      key.field === 'id'
        ? value === id
        : typeof value === (key.field === 'title' ? 'string' : 'number') ||
          (NULLABLE.has(key.field) && value === null);
    if (!fits) throw foreign();
  });
  const [value, ...then] = values as SortValue[];
  return then.length ? { value: value!, id, thenBy: then } : { value: value!, id };
}
