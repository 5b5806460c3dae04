import { ConditionValue } from './types';

/**
 * Substitutes policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${aws:PrincipalAccount}`...)
 * from the request's condition context, and the escapes `${*}`, `${?}`, `${$}` for literal characters.
 * A variable the request does not have makes the element unmatchable, as IAM documents (no default given).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export function substituteVariables(text: string, lookup: (key: string) => ConditionValue | undefined): string | undefined {
  let missing = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === '*') return '\u0000STAR\u0000';
    if (name === '?') return '\u0000QMARK\u0000';
    if (name === '$') return '$';
    const [key, fallback] = name.split(/\s*,\s*/);
    const value = lookup(key.trim());
    if (value === undefined || Array.isArray(value)) {
      if (fallback !== undefined) return fallback.replace(/^'|'$/g, '');
      missing = true;
      return '';
    }
    return String(value);
  });
  return missing ? undefined : result;
}

/** After glob compilation, escaped `${*}` and `${?}` are literal characters. */
export function restoreEscapes(pattern: string): string {
  return pattern.replace(/\u0000STAR\u0000/g, '*').replace(/\u0000QMARK\u0000/g, '?');
}
