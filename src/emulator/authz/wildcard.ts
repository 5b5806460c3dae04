import { GlobToken, globTokens, matchGlobTokens } from '../../private/glob';

/**
 * IAM's glob: `*` matches any run of characters, `?` exactly one; everything else literally.
 * Action names match case-insensitively, ARNs and condition values case-sensitively unless an operator says otherwise.
 * Linear-space, O(n·m) time (see src/private/glob.ts): a caller-supplied value can never make matching backtrack.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return matchGlobTokens(policyGlobTokens(pattern), value, ignoreCase).matched;
}

/** Tokens of a policy pattern: `${*}` and `${?}` (escapes marked by substituteVariables) stand for the literal characters. */
export function policyGlobTokens(pattern: string): GlobToken[] {
  return pattern.split(/(\u0000STAR\u0000|\u0000QMARK\u0000)/).flatMap((part): GlobToken[] => {
    if (part === '\u0000STAR\u0000') return ['*'];
    if (part === '\u0000QMARK\u0000') return ['?'];
    return globTokens(part);
  });
}

/** A policy element that may be one value or a list. */
export function toList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
