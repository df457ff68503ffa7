const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13);

/**
 * Parses a Python list literal of strings, as pandas writes them: ['Action', "Girls' Love"].
 * Returns null when the cell is not such a literal. Runs once per row of a large file, so it
 * scans with indexOf and slices rather than building strings a character at a time.
 */
export function parsePythonList(cell: string): string[] | null {
  const text = cell.trim();
  if (text.charCodeAt(0) !== 91 || text.charCodeAt(text.length - 1) !== 93) return null; // [ ]
  const items: string[] = [];
  const end = text.length - 1;
  let i = 1;
  const skipSpace = () => {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
  };
  skipSpace();
  while (i < end) {
    const quote = text[i]!;
    if (quote !== "'" && quote !== '"') return null;
    let close = text.indexOf(quote, i + 1);
    let escaped = text.indexOf('\\', i + 1);
    if (close === -1 || close >= end) return null;
    if (escaped === -1 || escaped > close) {
      items.push(text.slice(i + 1, close));
    } else {
      // A backslash escapes the next character: rare, so the slow path handles it.
      let item = '';
      let from = i + 1;
      while (escaped !== -1 && escaped < close) {
        item += text.slice(from, escaped) + text[escaped + 1]!;
        from = escaped + 2;
        close = text.indexOf(quote, from);
        if (close === -1 || close >= end) return null;
        escaped = text.indexOf('\\', from);
      }
      items.push(item + text.slice(from, close));
    }
    i = close + 1;
    skipSpace();
    if (i < end) {
      if (text.charCodeAt(i) !== 44) return null; // ,
      i++;
      skipSpace();
    }
  }
  return items;
}

export function parseDelimitedList(cell: string, separator: string): string[] {
  return cell.split(separator);
}
