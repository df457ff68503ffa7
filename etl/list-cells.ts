/**
 * Parses a Python list literal of strings, as pandas writes them: ['Action', "Girls' Love"].
 * Returns null when the cell is not such a literal.
 */
export function parsePythonList(cell: string): string[] | null {
  const text = cell.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) return null;
  const items: string[] = [];
  let i = 1;
  const end = text.length - 1;
  const skipSpace = () => {
    while (i < end && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  while (i < end) {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return null;
    i++;
    let item = '';
    while (i < end && text[i] !== quote) {
      if (text[i] === '\\' && i + 1 < end) i++;
      item += text[i];
      i++;
    }
    if (text[i] !== quote) return null;
    i++;
    items.push(item);
    skipSpace();
    if (i < end) {
      if (text[i] !== ',') return null;
      i++;
      skipSpace();
    }
  }
  return items;
}

export function parseDelimitedList(cell: string, separator: string): string[] {
  return cell.split(separator);
}
