/**
 * IAM's glob: `*` matches any run of characters, `?` exactly one; everything else literally.
 * Action names match case-insensitively, ARNs and condition values case-sensitively unless an operator says otherwise.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  // `${*}` and `${?}` (policy-variable escapes, marked by substituteVariables) stand for the literal characters.
  const source = pattern.split(/(\u0000STAR\u0000|\u0000QMARK\u0000)/).map(part => {
    if (part === '\u0000STAR\u0000') return '\\*';
    if (part === '\u0000QMARK\u0000') return '\\?';
    return part.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  }).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** A policy element that may be one value or a list. */
export function toList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
