import type { GuardConfig } from './config';
import type { GuardKey, GuardStack, GuardStatement } from './model';
import { Capability, capabilityOf, expandActionPattern, KMS_ACTIONS } from '../policy/kms-actions';

/**
 * The shape of a guard rule, and the statement helpers the rules share.
 * @module
 */

/** How bad a finding is: only `error` fails `guarded-keys check` and `cdk synth`. */
export type Severity = 'error' | 'warning' | 'info';

/** One thing a rule found, before severities and suppressions are applied. */
export interface RuleHit {
  readonly logicalId: string;
  /** The construct path (or the logical ID when the template has no CDK metadata). */
  readonly path: string;
  /** JSON pointer in the template. */
  readonly pointer: string;
  readonly message: string;
  /** A hit whose rule cannot be decided before deployment: reported under GK0 with the reason, never guessed. */
  readonly undecided?: boolean;
  /** Overrides the rule's severity for this hit (a policy near the size limit is a warning, over it an error). */
  readonly severity?: Severity;
}

/** A rule of the catalogue (docs/guard-rules.md documents each one). */
export interface GuardRule {
  /** Stable identifier (`GK1`...): suppressions and severities name it. */
  readonly id: string;
  /** What the rule requires, in one line. */
  readonly title: string;
  readonly defaultSeverity: Severity;
  /** Why it matters, in one or two sentences. */
  readonly why: string;
  /** The AWS documentation the rule follows. */
  readonly source: string;
  check(stack: GuardStack, config: GuardConfig): RuleHit[];
}

/** A hit on a key. */
export const keyHit = (key: GuardKey, message: string, pointer = `/Resources/${key.logicalId}`): RuleHit =>
  ({ logicalId: key.logicalId, path: key.path, pointer, message });

/**
 * The KMS actions a statement allows (or denies), `NotAction` expanded against the catalogue. Computed once per
 * statement (several rules ask, some once per principal of the statement), and shared between statements with the
 * same action list: an app repeats a handful of lists on every key, and expanding `kms:*` into a new set for each of
 * 500 root statements was a tenth of the guard's review.
 */
export function actionsOf(statement: GuardStatement): ReadonlySet<string> {
  let actions = ACTIONS_OF.get(statement);
  if (!actions) {
    const list = `${statement.notAction ? '!' : ''}${JSON.stringify(statement.actions)}`;
    actions = ACTIONS_OF_LIST.get(list);
    if (!actions) {
      const named = new Set(statement.actions.flatMap(expandActionPattern));
      actions = new Set(statement.notAction ? KMS_ACTIONS.filter(a => !named.has(a)) : named);
      // Bounded, as lists also come from templates of any size.
      if (ACTIONS_OF_LIST.size >= MAX_ACTION_LISTS) ACTIONS_OF_LIST.clear();
      ACTIONS_OF_LIST.set(list, actions);
    }
    ACTIONS_OF.set(statement, actions);
  }
  return actions;
}

const ACTIONS_OF = new WeakMap<GuardStatement, ReadonlySet<string>>();
/** The sets of {@link actionsOf} by action list (`!` first for `NotAction`), shared: nobody may change them. */
const ACTIONS_OF_LIST = new Map<string, ReadonlySet<string>>();
const MAX_ACTION_LISTS = 4096;

/** The capabilities (`administer`, `encrypt`...) of a statement's actions, shared like {@link actionsOf}. */
export function capabilitiesOf(statement: GuardStatement): ReadonlySet<Capability | undefined> {
  const actions = actionsOf(statement);
  let capabilities = CAPABILITIES_OF.get(actions);
  if (!capabilities) CAPABILITIES_OF.set(actions, capabilities = new Set([...actions].map(capabilityOf)));
  return capabilities;
}

const CAPABILITIES_OF = new WeakMap<ReadonlySet<string>, ReadonlySet<Capability | undefined>>();

/** True when a statement covers every KMS action (`kms:*`, `*`, or a `NotAction` of other services). */
export const coversAllKmsActions = (statement: GuardStatement): boolean => actionsOf(statement).size === KMS_ACTIONS.length;

/** True when an Allow statement names the stack's own account root. */
export const isOwnRootStatement = (s: GuardStatement): boolean =>
  s.effect === 'Allow' && !s.notPrincipal && s.principals.some(p => p.kind === 'root' && p.own === 'yes');

/** `statement 'Sid' of the key policy` / `statement #2 of IAM policy X`. */
export const where = (s: GuardStatement, policy?: string): string => `${s.label} of ${policy ? `IAM policy ${policy}` : 'the key policy'}`;

/**
 * True when a key's IAM policies count: the default policy or an own-root statement lets the account's IAM policies
 * grant access; without one, IAM policies give nothing on this key.
 */
export const trustsAccountIam = (key: GuardKey): boolean => key.statements === undefined || key.statements.some(isOwnRootStatement);

/**
 * True when an IAM statement covers this key of the template: its Resource is `*`, a `key/*` pattern, or the key's
 * own ARN (`Fn::GetAtt Key.Arn`, or an ARN built around `Ref: Key`); or its NotResource leaves the key out of none
 * of those.
 */
export function coversKey(statement: Pick<GuardStatement, 'resources' | 'notResource'>, keyLogicalId: string): boolean {
  const named = statement.resources.some(r => typeof r === 'string'
    && (coversAllKeys(r) || r.includes(`\${${keyLogicalId}.Arn}`) || /:key\/\$\{([A-Za-z0-9]+)\}$/.exec(r)?.[1] === keyLogicalId));
  return statement.notResource ? !named : named;
}

/**
 * True when an IAM statement reaches every key of the account (including keys created later): a Resource of `*`
 * or a `key/*` pattern, or a NotResource that does not itself cover all keys (everything but a few keys).
 */
export function coversEveryKey(statement: Pick<GuardStatement, 'resources' | 'notResource'>): boolean {
  const all = statement.resources.some(r => typeof r === 'string' && coversAllKeys(r));
  return statement.notResource ? !all : all;
}

/** True when a Resource value covers every key of an account (`*`, `arn:aws:kms:*:*:key/*`, `arn:aws:kms:*`). */
export function coversAllKeys(resource: string): boolean {
  const field = '(?:\\$\\{[^}]+\\}|[^:$]*)';
  return resource === '*' || resource === 'arn:*' || new RegExp(`^arn:${field}:kms:(?:\\*|${field}:${field}:(?:key/)?\\*)$`).test(resource);
}
