/**
 * Text wrapped to a terminal width, for the tables and reports people read (`npm run demo`, the access matrix).
 * Words break at spaces; a word longer than the width (an ARN) breaks after its last `:`, `/` or `-` that fits,
 * and only where it has none, at the width itself, so no line is ever longer than asked.
 *
 * Widths are counted in UTF-8 bytes: never fewer than the columns a terminal gives these characters (an em dash is
 * one column and three bytes), so a line that fits here fits a terminal and a byte-counting `awk length` alike.
 * @module
 */

/** The most bytes one character takes in UTF-8. */
const MAX_CHAR_BYTES = 4;

/** The breaks a long word prefers, so `arn:aws:iam::1111:role/x` splits at its own separators. */
const WORD_BREAKS = /[:/-]/;

/**
 * Splits one line of text into lines of at most `width` characters.
 * @param indent put before every line but the first (counted in the width)
 * @throws RangeError when the indent leaves no room for one character (4 bytes, the widest in UTF-8)
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  // A continuation line must hold at least one character of any width, or the promise "no line longer than asked"
  // could not be kept (an em dash is 3 bytes; a UTF-8 character at most 4).
  if (textWidth(indent) + MAX_CHAR_BYTES > width) {
    throw new RangeError(`wrapText: the indent (${textWidth(indent)}) must leave room for one character (${MAX_CHAR_BYTES} bytes) in the width (${width})`);
  }
  const lines: string[] = [];
  let line = '';
  const room = () => width - (lines.length ? textWidth(indent) : 0);
  const flush = () => {
    lines.push(`${lines.length ? indent : ''}${line.trimEnd()}`);
    line = '';
  };
  for (const word of text.split(/(?<= )/)) {
    let rest = word;
    while (textWidth(line) + textWidth(rest.trimEnd()) > room()) {
      if (line.trim()) {
        flush();
        continue;
      }
      // The word alone is wider than a line: cut it after a separator that fits, else at the width.
      const head = prefixWithin(rest, room());
      const at = lastIndexOf(head, WORD_BREAKS);
      const cut = at > 0 ? at + 1 : head.length;
      line = rest.slice(0, cut);
      rest = rest.slice(cut);
      flush();
    }
    line += rest;
  }
  if (line.trim() || !lines.length) flush();
  return lines;
}

/**
 * Wraps every line of a block to `width`; a wrapped line continues under its own indentation plus `hang`.
 */
export function wrapLines(text: string, width: number, hang = '    '): string {
  return text.split('\n').flatMap(line => {
    if (textWidth(line) <= width) return [line];
    const indent = /^ */.exec(line)![0];
    return wrapText(line, width, indent + hang);
  }).join('\n');
}

/** The width wrapText counts: UTF-8 bytes. */
export function textWidth(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest start of `text` (whole characters, at least one) that fits in `bytes`. */
function prefixWithin(text: string, bytes: number): string {
  let end = 0;
  for (const char of text) {
    if (end > 0 && textWidth(text.slice(0, end + char.length)) > bytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

function lastIndexOf(text: string, pattern: RegExp): number {
  for (let i = text.length - 1; i >= 0; i--) if (pattern.test(text[i])) return i;
  return -1;
}
