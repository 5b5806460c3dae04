import { capabilitiesOf } from '../policy/kms-actions';

/**
 * The guard's rule catalogue: each rule reads one synthesized key (its CloudFormation properties, with the
 * key policy resolved) and returns findings. Rules read the template, not construct props, so they check
 * plain `kms.Key`s, `CfnKey`s and keys of third-party constructs as well as guarded keys.
 * @module
 */

/** One KMS key as the guard sees it. */
export interface KeyUnderReview {
  readonly path: string;
  readonly properties: {
    readonly KeySpec?: string;
    readonly KeyUsage?: string;
    readonly EnableKeyRotation?: boolean;
    readonly RotationPeriodInDays?: number;
    readonly PendingWindowInDays?: number;
    readonly KeyPolicy?: { Statement?: PolicyStatement | PolicyStatement[] };
    readonly MultiRegion?: boolean;
    /** `EXTERNAL`: imported material, which KMS cannot rotate automatically. */
    readonly Origin?: string;
  };
  readonly isReplica: boolean;
}

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, unknown>;
}

/** A rule's verdict on one key. */
export interface Finding {
  readonly rule: string;
  readonly message: string;
}

/** A rule of the catalogue. */
export interface GuardRule {
  /** Stable identifier, used to suppress a rule: `GK1`... */
  readonly id: string;
  /** What the rule requires, for docs/guard-rules.md and messages. */
  readonly summary: string;
  check(key: KeyUnderReview): string[];
}

const statementsOf = (key: KeyUnderReview): PolicyStatement[] => {
  const statement = key.properties.KeyPolicy?.Statement;
  return statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
};
const toArray = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isSymmetric = (key: KeyUnderReview) => (key.properties.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT';
const label = (s: PolicyStatement, i: number) => (s.Sid ? `statement '${s.Sid}'` : `statement #${i + 1}`);

/** True when a Principal element is (or contains) the account root of some account. */
function isRootPrincipal(principal: unknown): boolean {
  const text = JSON.stringify(principal ?? '');
  return /:root"|"\d{12}"/.test(text);
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/** The rule catalogue, in the order findings are reported. */
export const GUARD_RULES: readonly GuardRule[] = [
  {
    id: 'GK1',
    summary: 'Symmetric keys rotate their material automatically',
    check: key => (isSymmetric(key) && !key.isReplica && key.properties.Origin !== 'EXTERNAL' && key.properties.EnableKeyRotation !== true
      ? ['automatic rotation is off: set EnableKeyRotation (GuardedKey always does)'] : []),
  },
  {
    id: 'GK2',
    summary: 'The key policy keeps an account-root statement allowing kms:*',
    check: key => (statementsOf(key).some(s => s.Effect === 'Allow' && isRootPrincipal(s.Principal) && toArray(s.Action).includes('kms:*'))
      ? [] : ['the key policy has no account-root statement allowing kms:*: the key can be locked out and IAM policies do not count']),
  },
  {
    id: 'GK3',
    summary: 'No principal but the account root both manages and uses the key',
    check: key => statementsOf(key).flatMap((s, i) => {
      if (s.Effect !== 'Allow' || isRootPrincipal(s.Principal)) return [];
      const caps = s.NotAction !== undefined ? capabilitiesOf(toArray(s.NotAction), true) : capabilitiesOf(toArray(s.Action));
      const uses = ['encrypt', 'decrypt', 'sign', 'mac', 'grant'].filter(c => caps.has(c as never));
      return caps.has('administer') && uses.length
        ? [`${label(s, i)} lets one principal both administer and ${uses.join('/')} (e.g. kms:* or kms:Create*): separate admins from users`]
        : [];
    }),
  },
  {
    id: 'GK4',
    summary: 'No Allow to Principal "*" without a condition',
    check: key => statementsOf(key).flatMap((s, i) => (s.Effect === 'Allow' && isEveryone(s.Principal) && !s.Condition
      ? [`${label(s, i)} allows Principal "*" without a condition: narrow it with kms:CallerAccount or kms:ViaService`] : [])),
  },
  {
    id: 'GK5',
    summary: 'Deletion waits the full 30 days',
    check: key => ((key.properties.PendingWindowInDays ?? 30) < 30
      ? [`the deletion window is ${key.properties.PendingWindowInDays} days: keep 30 so a mistaken deletion can be cancelled`] : []),
  },
  {
    id: 'GK6',
    summary: 'RSA keys used for encryption have at least 3072 bits (CT.KMS.PR.2)',
    check: key => (key.properties.KeySpec === 'RSA_2048' && (key.properties.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT'
      ? ['an RSA_2048 key is used for encryption: use RSA_3072 or RSA_4096'] : []),
  },
];
