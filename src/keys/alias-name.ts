import { Token } from 'aws-cdk-lib';

/** KMS alias names start with this; it is added when missing. */
export const ALIAS_PREFIX = 'alias/';
/** Reserved for AWS managed keys. */
export const RESERVED_ALIAS_PREFIX = 'alias/aws/';
/** KMS allows alias names of 1 to 256 characters, prefix included. */
export const MAX_ALIAS_LENGTH = 256;
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;

/** `app/data` -> `alias/app/data`; an existing prefix is kept. */
export function normalizeAliasName(name: string): string {
  return name.startsWith(ALIAS_PREFIX) ? name : `${ALIAS_PREFIX}${name}`;
}

/** A message per problem with an alias (after normalization); empty when valid. */
export function aliasNameProblems(name: string): string[] {
  if (Token.isUnresolved(name)) return [];
  const full = normalizeAliasName(name);
  const problems: string[] = [];
  if (full.length > MAX_ALIAS_LENGTH) {
    problems.push(`'aliases' entries must be at most ${MAX_ALIAS_LENGTH} characters including '${ALIAS_PREFIX}'. Received ${full.length}: '${full.slice(0, 40)}...'`);
  }
  if (full.startsWith(RESERVED_ALIAS_PREFIX)) {
    problems.push(`'aliases' entries must not start with '${RESERVED_ALIAS_PREFIX}' (reserved for AWS managed keys). Received: '${name}'`);
  }
  if (full === ALIAS_PREFIX || !ALIAS_PATTERN.test(full)) {
    problems.push(`'aliases' entries may contain only letters, digits, '/', '_' and '-' after '${ALIAS_PREFIX}'. Received: '${name}'`);
  }
  return problems;
}
