import { isIP } from 'net';
import { ConditionValue } from './types';
import { restoreEscapes } from './variables';
import { globMatch, toList } from './wildcard';

/**
 * IAM condition operators. Each condition block ANDs its operators and keys; the values of one key are ORed;
 * a negated operator (`StringNotEquals`...) is true when no value matches — and on a missing key, as IAM documents.
 * `...IfExists` is true on a missing key; `Null` tests presence; `ForAnyValue:`/`ForAllValues:` compare sets
 * (ForAllValues is true on a missing or empty key, ForAnyValue false).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */

/** The outcome of one condition block, with the first failing test for explanations. */
export interface ConditionOutcome {
  readonly matched: boolean;
  readonly failure?: string;
}

type Compare = (requestValue: string, policyValue: string) => boolean;

const STRING: Record<string, Compare> = {
  StringEquals: (a, b) => a === b,
  StringEqualsIgnoreCase: (a, b) => a.toLowerCase() === b.toLowerCase(),
  StringLike: (a, b) => globMatch(b, a),
  ArnEquals: (a, b) => arnLike(a, b),
  ArnLike: (a, b) => arnLike(a, b),
  NumericEquals: (a, b) => num(a) === num(b),
  NumericLessThan: (a, b) => num(a) < num(b),
  NumericLessThanEquals: (a, b) => num(a) <= num(b),
  NumericGreaterThan: (a, b) => num(a) > num(b),
  NumericGreaterThanEquals: (a, b) => num(a) >= num(b),
  DateEquals: (a, b) => date(a) === date(b),
  DateLessThan: (a, b) => date(a) < date(b),
  DateLessThanEquals: (a, b) => date(a) <= date(b),
  DateGreaterThan: (a, b) => date(a) > date(b),
  DateGreaterThanEquals: (a, b) => date(a) >= date(b),
  Bool: (a, b) => a.toLowerCase() === b.toLowerCase(),
  BinaryEquals: (a, b) => a === b,
  IpAddress: (a, b) => inCidr(a, b),
};

/** Negated operators and the positive operator they negate. */
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
};

/**
 * Whether IAM knows a condition operator: a base operator, optionally prefixed `ForAnyValue:`/`ForAllValues:` and
 * suffixed `IfExists` (`Null` takes no `IfExists`). Policies are checked with it when written, so a misspelling
 * such as `StringEqual` is refused rather than silently never matching.
 */
export function isConditionOperator(operator: string): boolean {
  const base = operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  if (base === 'Null') return true;
  const plain = base.endsWith('IfExists') ? base.slice(0, -'IfExists'.length) : base;
  return plain in STRING || plain in NEGATED;
}

/** Evaluates a statement's Condition element against the request's context (lookup is case-insensitive). */
export function evaluateConditions(
  condition: Record<string, Record<string, unknown>> | undefined,
  lookup: (key: string) => ConditionValue | undefined,
  substitute: (value: string) => string | undefined,
): ConditionOutcome {
  for (const [rawOperator, keys] of Object.entries(condition ?? {})) {
    for (const [key, rawValues] of Object.entries(keys ?? {})) {
      const policyValues = toList(rawValues as unknown).map(v => substitute(String(v)));
      const outcome = evaluateOne(rawOperator, lookup(key), policyValues);
      if (!outcome) {
        const got = lookup(key);
        return { matched: false, failure: `condition ${rawOperator} ${key} ${JSON.stringify(toList(rawValues as unknown))} failed: got ${got === undefined ? '(missing)' : JSON.stringify(got)}` };
      }
    }
  }
  return { matched: true };
}

function evaluateOne(rawOperator: string, requestValue: ConditionValue | undefined, policyValues: Array<string | undefined>): boolean {
  let operator = rawOperator;
  let set: 'any' | 'all' | undefined;
  if (operator.startsWith('ForAnyValue:')) { set = 'any'; operator = operator.slice('ForAnyValue:'.length); }
  if (operator.startsWith('ForAllValues:')) { set = 'all'; operator = operator.slice('ForAllValues:'.length); }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);

  if (operator === 'Null') {
    const wantMissing = String(policyValues[0]).toLowerCase() === 'true';
    const missing = requestValue === undefined || (Array.isArray(requestValue) && requestValue.length === 0);
    return wantMissing === missing;
  }

  const values = requestValue === undefined ? [] : toList(requestValue as string | string[]).map(v => String(v));
  if (set === 'all') return values.every(v => matchesAny(operator, v, policyValues));
  if (set === 'any') return values.some(v => matchesAny(operator, v, policyValues));

  if (requestValue === undefined) return ifExists || operator in NEGATED;
  return values.some(v => matchesAny(operator, v, policyValues)) || (operator in NEGATED && values.length === 0);
}

function matchesAny(operator: string, requestValue: string, policyValues: Array<string | undefined>): boolean {
  const negatedOf = NEGATED[operator];
  const compare = STRING[negatedOf ?? operator];
  if (!compare) return false; // unknown operators never match (IAM rejects them at write time)
  const glob = operator.includes('Like') || operator.startsWith('Arn');
  const hit = policyValues.some(p => p !== undefined && safe(() => compare(requestValue, glob ? p : restoreEscapes(p))));
  return negatedOf ? !hit : hit;
}

function safe(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}

function num(value: string): number {
  const n = Number(value);
  if (Number.isNaN(n)) throw new Error('not a number');
  return n;
}

function date(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(n)) throw new Error('not a date');
  return n;
}

/** ARN operators compare the six colon-separated parts, each with globbing. */
function arnLike(requestValue: string, pattern: string): boolean {
  const a = requestValue.split(':');
  const p = pattern.split(':');
  if (a.length < 6 || p.length < 6) return globMatch(pattern, requestValue);
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [av, pv] = [head(a), head(p)];
  return pv.every((part, i) => globMatch(part, av[i]));
}

/* eslint-disable no-bitwise -- CIDR matching is bit arithmetic on addresses */
/** `203.0.113.7` in `203.0.113.0/24`; IPv4 and IPv6. */
function inCidr(address: string, cidr: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const family = isIP(address);
  if (!family || family !== isIP(network)) return false;
  const size = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? size : Number(bitsText);
  const a = toBigInt(address, family);
  const n = toBigInt(network, family);
  const mask = bits === 0 ? 0n : ((1n << BigInt(size)) - 1n) ^ ((1n << BigInt(size - bits)) - 1n);
  return (a & mask) === (n & mask);
}

function toBigInt(address: string, family: number): bigint {
  if (family === 4) return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}
/* eslint-enable no-bitwise */
