/**
 * What a statement's `Condition` block does to the set of callers it lets in.
 *
 * A condition narrows the caller only if it pins who calls (their organization, account or ARN) or, for an AWS
 * service calling as itself, the resource it acts for. `kms:ViaService` alone does not: any account can call through
 * S3. `aws:SecureTransport` does not: it is about the connection. A negated operator (`StringNotEquals`), an
 * `...IfExists` operator (a request without the key passes) or a value that is only `*` narrows nothing.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * @module
 */

import { Unresolved, unresolvedIn } from './evaluate';

/** Condition keys that pin the caller (lower case). */
const CALLER_KEYS = new Set([
  'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn', 'kms:calleraccount',
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths',
]);

/** Condition keys that tie a service principal's call to a resource of the account (confused-deputy protection). */
const SOURCE_KEYS = new Set([
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'aws:sourceorgpaths',
  // CloudWatch Logs and CloudTrail document their encryption-context ARN as the way to tie the key to the resource.
  'kms:encryptioncontext:aws:logs:arn', 'kms:encryptioncontext:aws:cloudtrail:arn',
]);

/** One (operator, key, values) of a condition block. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: unknown[];
}

/** The entries of a condition block (`{ StringEquals: { 'kms:CallerAccount': '1111' } }`). */
export function conditionEntries(condition: unknown): ConditionEntry[] {
  if (!condition || typeof condition !== 'object' || condition instanceof Unresolved) return [];
  return Object.entries(condition as Record<string, unknown>).flatMap(([operator, keys]) =>
    Object.entries((keys ?? {}) as Record<string, unknown>).map(([key, values]) => ({
      operator, key, values: Array.isArray(values) ? values : [values],
    })));
}

/** True when an entry restricts requests to the values it names (positive operator, values that pin something). */
function restricts(entry: ConditionEntry): boolean {
  const op = entry.operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  if (/Not|IfExists$|^Null$|^Bool$/.test(op) || entry.operator.startsWith('ForAllValues:')) return false;
  return entry.values.length > 0 && entry.values.every(v => typeof v === 'string' && pins(entry.key.toLowerCase(), v));
}

const WILDCARD = /[*?]/;

/**
 * True when a value pins the caller down: an account or organization ID without wildcards (`1111*` is many
 * accounts), an organization path whose organization is literal, an ARN whose account is literal (or, for the
 * account-less S3 ARNs, whose bucket name starts literally). `arn:aws:s3:::*` or `arn:aws:sns:*:*:*` pins nothing.
 */
function pins(key: string, value: string): boolean {
  if (key.endsWith('arn')) {
    const parts = value.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') return !WILDCARD.test(value) && value !== '';
    const [account, resource] = [parts[4], parts.slice(5).join(':')];
    return account ? !WILDCARD.test(account) : resource !== '' && !WILDCARD.test(resource[0]);
  }
  if (key.endsWith('orgpaths')) return value.split('/')[0] !== '' && !WILDCARD.test(value.split('/')[0]);
  if (key.startsWith('kms:encryptioncontext:')) return value.replace(/[*?]/g, '') !== '';
  // `alias/team-a/*` is the documented way to name a team's keys by alias; `alias/*` names every key.
  if (key === 'kms:resourcealiases') return /^alias\/[^*?]/.test(value);
  return value !== '' && !WILDCARD.test(value);
}

/**
 * True when a condition block, or a value in it, is known only at deploy time (an import, a condition on a parameter
 * nobody gave): whether it narrows cannot be told, so a rule that finds no narrowing reports itself undecided (GK0)
 * instead of guessing a failure.
 */
export function conditionUndecided(condition: unknown): boolean {
  return unresolvedIn(condition).length > 0;
}

/** The words a rule adds to a finding whose condition could not be evaluated. */
export const UNDECIDED_CONDITION = ' (its condition cannot be evaluated before deployment)';

/** True when the condition block pins the caller (see the module doc). */
export function narrowsCaller(condition: unknown): boolean {
  return conditionEntries(condition).some(e => CALLER_KEYS.has(e.key.toLowerCase()) && restricts(e));
}

/** True when a service principal's statement is tied to resources of the account. */
export function hasSourceCondition(condition: unknown): boolean {
  return conditionEntries(condition).some(e => SOURCE_KEYS.has(e.key.toLowerCase()) && restricts(e));
}

/** True when grants may only be created for AWS resources (`Bool kms:GrantIsForAWSResource true`). */
export function grantsOnlyForAwsResources(condition: unknown): boolean {
  return conditionEntries(condition).some(e => e.key.toLowerCase() === 'kms:grantisforawsresource'
    && e.operator === 'Bool' && e.values.length > 0 && e.values.every(v => String(v) === 'true'));
}

/** True when the condition narrows which keys an IAM statement on `Resource: *` covers (tags, aliases). */
export function narrowsKeys(condition: unknown): boolean {
  return conditionEntries(condition).some(e => /^aws:resourcetag\/|^kms:resourcealiases$/i.test(e.key) && restricts(e));
}
