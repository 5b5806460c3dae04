import { Duration } from 'aws-cdk-lib';
import { aliasNameProblems, normalizeAliasName } from './alias-name';
import { GuardedKeyCommonProps } from './common-props';
import { narrowingProblems } from '../policy/narrowing';
import { cdkCore } from '../private/cdk-exports';

/** Rotation period bounds KMS accepts, in days. */
export const MIN_ROTATION_DAYS = 90;
export const MAX_ROTATION_DAYS = 2560;
/** Deletion waiting period bounds KMS accepts, in days. */
export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
/** KMS description limit. */
export const MAX_DESCRIPTION_LENGTH = 8192;
/** Tag limits. */
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/** A message per invalid common prop (each names the prop, the allowed values and what it received). */
export function commonPropProblems(props: GuardedKeyCommonProps & { requiredEncryptionContext?: Record<string, string> }): string[] {
  const problems: string[] = [];
  problems.push(...daysInRange('pendingWindow', wholeDays(props.pendingWindow ?? Duration.days(30)), MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS));
  if (props.description !== undefined && !cdkCore().Token.isUnresolved(props.description) && props.description.length > MAX_DESCRIPTION_LENGTH) {
    problems.push(`'description' must be at most ${MAX_DESCRIPTION_LENGTH} characters. Received: ${props.description.length}`);
  }
  const aliases = (props.aliases ?? []).map(normalizeAliasName);
  for (const alias of props.aliases ?? []) problems.push(...aliasNameProblems(alias));
  const duplicate = aliases.find((a, i) => aliases.indexOf(a) !== i);
  if (duplicate) problems.push(`'aliases' lists '${duplicate}' twice`);
  problems.push(...narrowingProblems(props));
  for (const [key, value] of Object.entries(props.tags ?? {})) {
    if (key.length < 1 || key.length > MAX_TAG_KEY || key.startsWith('aws:')) {
      problems.push(`'tags' keys must be 1 to ${MAX_TAG_KEY} characters and not start with 'aws:'. Received: '${key}'`);
    }
    if (value.length > MAX_TAG_VALUE) problems.push(`'tags' values must be at most ${MAX_TAG_VALUE} characters. Received ${value.length} for '${key}'`);
  }
  return problems;
}

/** The message for a day count outside [min, max] (built from the same constants as the check). */
export function daysInRange(prop: string, days: number | undefined, min: number, max: number): string[] {
  if (days === undefined || (Number.isInteger(days) && days >= min && days <= max)) return [];
  return [`'${prop}' must be a whole number of days between ${min} and ${max}. Received: ${days} days`];
}

/** Days in a duration, fractional if need be; undefined for a token. */
export function wholeDays(duration: Duration | undefined): number | undefined {
  if (duration === undefined || cdkCore().Token.isUnresolved(duration.toSeconds())) return undefined;
  return duration.toDays({ integral: false });
}

/** A message when `value` is not one of `allowed`. */
export function oneOf<T extends string>(prop: string, value: T, allowed: readonly T[], what: string): string[] {
  return allowed.includes(value) ? [] : [`'${prop}' must be one of ${allowed.join(', ')} for ${what}. Received: ${value}`];
}
