import type { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { cdkCore } from './cdk-exports';

/** The marker of an encoded list token (`#{Token[...]}`), which the resolver refuses in a scalar context. */
const LIST_TOKEN_MARKER = '#{Token[';

/**
 * False when a string cannot hold a token: it has neither a string token's marker (`${Token[`) nor the exponent of
 * an encoded number token (`-1.8881545897087626e+289`), the two forms aws-cdk-lib's token pattern matches.
 * `Token.isUnresolved` on a string costs about a microsecond and a policy has dozens of plain strings per key.
 */
const mayHoldToken = (s: string): boolean => s.includes('{Token[') || s.includes('e+289');

/**
 * `stack.resolve(value)` for a value that is mostly plain JSON (a rendered policy document): the plain parts are
 * copied as they are and only the tokens in it go through the resolver, each on its own. The resolver gives the same
 * result (it resolves an object as the object of its resolved members, and drops `undefined` members as this does),
 * but it builds a context for every member of the value, plain or not: for a key policy of a few statements, where
 * the tokens are one or two ARNs, that is most of the work. Anything this does not recognise as plain JSON (a
 * token as a map key, a list token, a construct, a function) is handed to the resolver whole, which resolves it or
 * throws as before.
 */
export function resolveTokensIn(stack: Stack, value: unknown): unknown {
  if (typeof value === 'string') return mayHoldToken(value) && (cdkCore().Token.isUnresolved(value) || value.includes(LIST_TOKEN_MARKER)) ? stack.resolve(value) : value;
  if (typeof value === 'number') return cdkCore().Token.isUnresolved(value) ? stack.resolve(value) : value;
  if (typeof value === 'function') return stack.resolve(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) {
    if (value.some(v => typeof v === 'string' && v.includes(LIST_TOKEN_MARKER))) return stack.resolve(value);
    return value.map(v => resolveTokensIn(stack, v)).filter(v => v !== undefined);
  }
  if (cdkCore().Tokenization.isResolvable(value) || Construct.isConstruct(value)) return stack.resolve(value);
  const keys = Object.keys(value);
  if (keys.some(k => mayHoldToken(k) && cdkCore().Token.isUnresolved(k))) return stack.resolve(value);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = resolveTokensIn(stack, (value as Record<string, unknown>)[key]);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}
