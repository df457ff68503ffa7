import { ANIME_COLUMNS, type AnimeField } from './definition';
import { type AnimeInput, hasControlCharacter } from './schema';

export interface FieldProblem {
  readonly field: AnimeField;
  readonly reason: string;
}

/**
 * Trims whitespace off the edges of text that has no control character; text that has one is
 * returned as it is, so the check after sees it (a tab is refused at an edge as anywhere else,
 * the same on every path).
 */
export function trimText(text: string): string {
  return hasControlCharacter(text) ? text : text.trim();
}

/**
 * The one normalizer of a record, derived from the definition, for every path that writes one
 * (the ETL's rows, the API's creates and updates), so both store identical rows:
 * - text with a control character anywhere (edges included) is a problem;
 * - text is trimmed; blank required text is a problem, blank optional text is null;
 * - decimals are rounded to the stored scale;
 * - list items are trimmed, a blank item is a problem, and items that differ only in case are
 *   one item, spelled as it first appears.
 * Lengths, ranges and enum values stay the schema's to check, after this.
 */
export function normalizeRecord(input: AnimeInput): { record: AnimeInput; problems: FieldProblem[] } {
  const record: Record<string, unknown> = { ...input };
  const problems: FieldProblem[] = [];
  for (const column of ANIME_COLUMNS) {
    const field: AnimeField = column.field;
    const value = record[field];
    if (value === null || value === undefined) continue;
    switch (column.kind) {
      case 'text': {
        if (hasControlCharacter(value as string)) {
          problems.push({ field, reason: 'contains a control character' });
          break;
        }
        const trimmed = (value as string).trim();
        if (trimmed) record[field] = trimmed;
        else if (column.nullable) record[field] = null;
        else problems.push({ field, reason: 'must not be blank' });
        break;
      }
      case 'decimal': {
        const factor = 10 ** column.scale;
        record[field] = Math.round((value as number) * factor) / factor;
        break;
      }
      case 'textList': {
        const seen = new Set<string>();
        const items: string[] = [];
        for (const raw of value as string[]) {
          if (hasControlCharacter(raw)) {
            problems.push({ field, reason: 'has an item with a control character' });
            break;
          }
          const item = raw.trim();
          if (!item) {
            problems.push({ field, reason: 'has a blank item' });
            break;
          }
          const key = item.toLowerCase();
          if (seen.has(key)) continue;
          seen.add(key);
          items.push(item);
        }
        record[field] = items;
        break;
      }
      default:
        break;
    }
  }
  return { record: record as AnimeInput, problems };
}
