/**
 * IAM's wildcard match (`*` any run of characters, `?` exactly one), in linear space and O(n·m) time.
 *
 * Why not a regular expression: `*` compiled to `.*` makes V8's backtracking engine try every split of the value
 * among the stars, which is exponential in their number. `*\/*\/*\/*\/*.csv` against a 1,000-character condition value
 * kept the emulator at 100% CPU for over nine minutes, and any caller can send such a value. The greedy two-pointer
 * match below backtracks only to the last star seen, which is enough because a later star can absorb whatever an
 * earlier one would have: at most (n+1)·(m+1) steps for a value of n characters and a pattern of m tokens.
 *
 * This is the project's one glob matcher: the emulator's evaluator and the policy model's action expansion use it.
 * @module
 */

/** A wildcard token: `*` (any run, including none). */
export const ANY_RUN = -1;
/** A wildcard token: `?` (exactly one character). */
export const ANY_ONE = -2;

/** A literal character (one code point), or a wildcard. */
export type GlobToken = string | typeof ANY_RUN | typeof ANY_ONE;

/** `*` and `?` are wildcards, every other character (code point) is literal. */
export function globTokens(pattern: string): GlobToken[] {
  return Array.from(pattern, c => (c === '*' ? ANY_RUN : c === '?' ? ANY_ONE : c));
}

/** Whether a whole value matches a pattern in which `*` and `?` are wildcards. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return matchGlobTokens(globTokens(pattern), value, ignoreCase).matched;
}

/**
 * Matches a value against tokens, counting the steps taken (tests prove the bound with the count, not a clock).
 * Characters are code points, so `?` matches one emoji as IAM means "one character".
 */
export function matchGlobTokens(tokens: readonly GlobToken[], value: string, ignoreCase = false): { matched: boolean; steps: number } {
  const chars = Array.from(value);
  const same = ignoreCase ? sameIgnoringCase : (a: string, b: string) => a === b;
  let p = 0; // next token
  let i = 0; // next character
  let star = -1; // token index of the last `*` seen
  let resume = 0; // the character that `*` would absorb next if we backtrack to it
  let steps = 0;
  while (i < chars.length) {
    steps++;
    const token = tokens[p];
    if (p < tokens.length && token !== ANY_RUN && (token === ANY_ONE || same(token as string, chars[i]))) {
      p++;
      i++;
    } else if (p < tokens.length && token === ANY_RUN) {
      star = p++;
      resume = i;
    } else if (star >= 0) {
      // Let the last star absorb one more character and retry what follows it.
      p = star + 1;
      i = ++resume;
    } else {
      return { matched: false, steps };
    }
  }
  while (p < tokens.length && tokens[p] === ANY_RUN) p++;
  return { matched: p === tokens.length, steps };
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}
