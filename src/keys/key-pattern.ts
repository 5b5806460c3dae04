import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GuardedKey, GuardedKeyProps } from './guarded-key';
import { wholeDays } from './validate-props';
import { PATTERN_METADATA, PATTERN_NAME } from '../guard/pattern-marker';
import { validationErrorFor } from '../private/errors';

/**
 * Properties of a {@link KeyPattern}: what a platform team fixes for every key made from it.
 *
 * @example
 * const pii = new KeyPattern({
 *   name: 'pii',
 *   admins: [operators],
 *   viaServices: ['s3', 'dynamodb'],
 *   requiredEncryptionContext: { tenant: '*' },
 *   strict: true,
 *   maxRotationPeriod: Duration.days(180),
 *   tags: { classification: 'pii' },
 * });
 * pii.create(this, 'CustomerKey', { users: [appRole] });
 */
export interface KeyPatternProps {
  /**
   * The pattern's name, used in error messages and prepended to descriptions (e.g. `pii`).
   */
  readonly name: string;

  /**
   * Administrators of every key made from the pattern, added to the application's own.
   *
   * @default - None besides the application's.
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * Services every key is restricted to. An application may narrow further (a subset), never widen.
   *
   * @default - Applications choose.
   */
  readonly viaServices?: string[];

  /**
   * Caller accounts every key is restricted to. An application may narrow further (a subset), never widen.
   *
   * @default - Applications choose.
   */
  readonly callerAccounts?: string[];

  /**
   * Encryption context every key requires; an application may add pairs, never drop or change these.
   *
   * @default - Applications choose.
   */
  readonly requiredEncryptionContext?: { [key: string]: string };

  /**
   * Strict mode for every key (an application cannot turn it off).
   *
   * @default false
   */
  readonly strict?: boolean;

  /**
   * The longest rotation period an application may choose; also the default.
   *
   * @default Duration.days(365)
   */
  readonly maxRotationPeriod?: Duration;

  /**
   * Tags every key carries (an application may add others, not override these).
   *
   * @default - No tags.
   */
  readonly tags?: { [key: string]: string };

  /**
   * Whether applications may give their admins `kms:PutKeyPolicy` (`allowAdminsToChangePolicy`).
   *
   * @default false - locked off
   */
  readonly allowAdminsToChangePolicy?: boolean;

  /**
   * Whether applications may let their users create grants for AWS resources (`allowGrantsForAwsResources`).
   *
   * @default false - locked off
   */
  readonly allowGrantsForAwsResources?: boolean;

  /**
   * Whether applications may make multi-Region keys (`multiRegion`), whose material leaves the region.
   *
   * @default false - locked off
   */
  readonly allowMultiRegion?: boolean;

  /**
   * The shortest deletion window an application may choose (`pendingWindow`), 7 to 30 days.
   *
   * @default Duration.days(30)
   */
  readonly minPendingWindow?: Duration;

  /**
   * Whether applications may choose a removal policy other than RETAIN.
   *
   * @default false - locked to RETAIN
   */
  readonly allowRemoval?: boolean;
}

/** The settings an application may only narrow, and those a pattern locks unless it says otherwise. */
export const PATTERN_NARROWABLE_SETTINGS = ['viaServices', 'callerAccounts', 'requiredEncryptionContext', 'rotationPeriod', 'tags'] as const;

/**
 * A key pattern a platform team publishes: fixed administrators, narrowing, strictness, a rotation ceiling
 * and tags, applied to every `GuardedKey` an application makes from it. Applications add their users and
 * may narrow further; anything that would widen the pattern fails synth naming the prop.
 *
 * @example
 * // in the platform team's library (exported from it)
 * const PII_KEYS = new KeyPattern({ name: 'pii', viaServices: ['s3', 'dynamodb'], strict: true, requiredEncryptionContext: { tenant: '*' } });
 * // in an application
 * PII_KEYS.create(this, 'CustomerKey', { users: [appRole] });
 */
export class KeyPattern {
  constructor(public readonly props: KeyPatternProps) {
    if (!PATTERN_NAME.test(props.name)) {
      throw new Error(`KeyPattern 'name' must be 1 to 63 lowercase letters, digits or '-'. Received: '${props.name}'`);
    }
  }

  /**
   * Makes a guarded key from the pattern with an application's props. The key's resource carries the pattern's name
   * in its `cdk-guarded-keys:pattern` metadata (and so do its replicas), which the guard's `approvedPatterns` reads.
   */
  public create(scope: Construct, id: string, props: GuardedKeyProps = {}): GuardedKey {
    const key = new GuardedKey(scope, id, this.merge(scope, id, props));
    (key.node.defaultChild as CfnResource).addMetadata(PATTERN_METADATA, this.props.name);
    return key;
  }

  /**
   * The settings this pattern locks (an application cannot widen them); the others, `PATTERN_NARROWABLE_SETTINGS`,
   * an application may only narrow.
   */
  public get lockedSettings(): string[] {
    return lockedSettings(this.props);
  }

  /** The props a key made from this pattern gets (for inspection and tests). */
  public merge(scope: Construct, id: string, props: GuardedKeyProps = {}): GuardedKeyProps {
    const p = this.props;
    const problems: string[] = [];
    const rotation = props.rotationPeriod ?? p.maxRotationPeriod ?? Duration.days(365);
    const ceiling = p.maxRotationPeriod ?? Duration.days(365);
    const rotationDays = wholeDays(rotation);
    const ceilingDays = wholeDays(ceiling);
    if (rotationDays !== undefined && ceilingDays !== undefined && rotationDays > ceilingDays) {
      problems.push(`'rotationPeriod' must be at most ${ceilingDays} days for keys of pattern '${p.name}'. Received: ${rotationDays} days`);
    }
    problems.push(...subsetProblem('viaServices', p.name, p.viaServices, props.viaServices));
    problems.push(...subsetProblem('callerAccounts', p.name, p.callerAccounts, props.callerAccounts));
    for (const [key, value] of Object.entries(p.requiredEncryptionContext ?? {})) {
      const theirs = props.requiredEncryptionContext?.[key];
      if (theirs !== undefined && theirs !== value && value !== '*') {
        problems.push(`'requiredEncryptionContext' cannot change '${key}' from '${value}' for keys of pattern '${p.name}'. Received: '${theirs}'`);
      }
    }
    if (p.strict && props.strict === false) problems.push(`'strict' cannot be turned off for keys of pattern '${p.name}'`);
    problems.push(...lockedProblemsOf(p, props));
    for (const key of Object.keys(props.tags ?? {})) {
      if (p.tags && key in p.tags && props.tags![key] !== p.tags[key]) {
        problems.push(`'tags' cannot override '${key}' for keys of pattern '${p.name}'`);
      }
    }
    if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));

    return {
      ...props,
      description: [`[${p.name}]`, props.description].filter(Boolean).join(' '),
      admins: [...(p.admins ?? []), ...(props.admins ?? [])],
      viaServices: props.viaServices ?? p.viaServices,
      callerAccounts: props.callerAccounts ?? p.callerAccounts,
      requiredEncryptionContext: p.requiredEncryptionContext || props.requiredEncryptionContext
        ? { ...(props.requiredEncryptionContext ?? {}), ...(p.requiredEncryptionContext ?? {}), ...pinnedWildcards(p, props) }
        : undefined,
      strict: p.strict || props.strict,
      pendingWindow: props.pendingWindow ?? p.minPendingWindow,
      rotationPeriod: rotation,
      tags: p.tags || props.tags ? { ...(props.tags ?? {}), ...(p.tags ?? {}) } : undefined,
    };
  }
}

/** Every locked setting the application's props would widen. */
function lockedProblemsOf(p: KeyPatternProps, props: GuardedKeyProps): string[] {
  const problems: string[] = [];
  if (p.strict && props.deployers !== undefined) {
    problems.push(lockedProblem('deployers', p.name, 'its strict mode exempts only the stack\'s deployment role from the denies'));
  }
  if (props.allowAdminsToChangePolicy && !p.allowAdminsToChangePolicy) {
    problems.push(lockedProblem('allowAdminsToChangePolicy', p.name, 'admins may not rewrite the key policy (they could grant themselves use)'));
  }
  if (props.allowGrantsForAwsResources && !p.allowGrantsForAwsResources) {
    problems.push(lockedProblem('allowGrantsForAwsResources', p.name, 'users may not create grants'));
  }
  if (props.multiRegion && !p.allowMultiRegion) problems.push(lockedProblem('multiRegion', p.name, 'key material stays in its region'));
  if (props.removalPolicy !== undefined && props.removalPolicy !== RemovalPolicy.RETAIN && !p.allowRemoval) {
    problems.push(lockedProblem('removalPolicy', p.name, 'keys are retained when they leave the stack'));
  }
  const minimum = wholeDays(p.minPendingWindow ?? Duration.days(30));
  const chosen = wholeDays(props.pendingWindow);
  if (chosen !== undefined && minimum !== undefined && chosen < minimum) {
    problems.push(`'pendingWindow' must be at least ${minimum} days for keys of pattern '${p.name}'. Received: ${chosen} days`);
  }
  const props_ = props as { users?: iam.IPrincipal[]; encryptors?: iam.IPrincipal[]; decryptors?: iam.IPrincipal[] };
  for (const prop of ['users', 'encryptors', 'decryptors'] as const) {
    if ((props_[prop] ?? []).some(isWildcard)) {
      problems.push(lockedProblem(prop, p.name, 'a wildcard principal (*) is not allowed; name the principals'));
    }
  }
  return problems;
}

/** The settings a key pattern locks, each with the prop that would widen it. */
function lockedSettings(p: KeyPatternProps): string[] {
  return [
    ...(p.strict ? ['strict', 'deployers'] : []),
    ...(p.allowAdminsToChangePolicy ? [] : ['allowAdminsToChangePolicy']),
    ...(p.allowGrantsForAwsResources ? [] : ['allowGrantsForAwsResources']),
    ...(p.allowMultiRegion ? [] : ['multiRegion']),
    ...(p.allowRemoval ? [] : ['removalPolicy']),
    'pendingWindow (minimum)',
    'wildcard principals in users, encryptors and decryptors',
  ];
}

function isWildcard(principal: iam.IPrincipal): boolean {
  if (principal instanceof iam.AnyPrincipal) return true;
  const aws = principal.policyFragment.principalJson.AWS;
  return Array.isArray(aws) ? aws.includes('*') : aws === '*';
}

/** A pattern's `*` (any value) may be pinned to one value by an application: that narrows. */
function pinnedWildcards(pattern: KeyPatternProps, props: GuardedKeyProps): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const [key, value] of Object.entries(pattern.requiredEncryptionContext ?? {})) {
    const theirs = props.requiredEncryptionContext?.[key];
    if (value === '*' && theirs !== undefined) pinned[key] = theirs;
  }
  return pinned;
}

function lockedProblem(prop: string, pattern: string, why: string): string {
  return `'${prop}' is locked by pattern '${pattern}': ${why}`;
}

function subsetProblem(prop: string, pattern: string, allowed: string[] | undefined, chosen: string[] | undefined): string[] {
  if (!allowed || !chosen) return [];
  const extra = chosen.filter(v => !allowed.includes(v));
  return extra.length
    ? [`'${prop}' may only narrow pattern '${pattern}' (${allowed.join(', ')}). Received: ${extra.join(', ')}`]
    : [];
}
