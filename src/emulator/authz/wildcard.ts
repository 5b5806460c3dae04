import { GlobToken, globTokens, matchGlobTokens } from '../../private/glob';

/**
 * IAM's glob: `*` matches any run of characters, `?` exactly one; everything else literally.
 * Action names match case-insensitively, ARNs and condition values case-sensitively unless an operator says otherwise.
 * Linear-space, O(n·m) time (see src/private/glob.ts): a caller-supplied value can never make matching backtrack.
 *
 * Patterns come from policies, which change rarely, while every request matches them: each pattern is tokenized
 * once and kept (bounded), and the two commonest shapes skip the matcher: `*` matches anything, and a value equal
 * to the pattern matches it (unless the pattern holds an escaped `${*}` or `${?}`, whose marker is not the character).
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*' || (pattern === value && !pattern.includes('\u0000'))) return true;
  return matchGlobTokens(policyGlobTokens(pattern), value, ignoreCase).matched;
}

/** Tokenized policy patterns, by pattern text. Policies are few; the bound only stops a churn of new ones from growing it. */
const TOKENS = new Map<string, readonly GlobToken[]>();
export const GLOB_CACHE_SIZE = 2048;

/** Tokens of a policy pattern: `${*}` and `${?}` (escapes marked by substituteVariables) stand for the literal characters. */
export function policyGlobTokens(pattern: string): readonly GlobToken[] {
  let tokens = TOKENS.get(pattern);
  if (tokens) return tokens;
  tokens = pattern.includes('\u0000') ? pattern.split(/(\u0000STAR\u0000|\u0000QMARK\u0000)/).flatMap((part): GlobToken[] => {
    if (part === '\u0000STAR\u0000') return ['*'];
    if (part === '\u0000QMARK\u0000') return ['?'];
    return globTokens(part);
  }) : globTokens(pattern);
  if (TOKENS.size >= GLOB_CACHE_SIZE) TOKENS.delete(TOKENS.keys().next().value!);
  TOKENS.set(pattern, tokens);
  return tokens;
}

/** A policy element that may be one value or a list. */
export function toList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
