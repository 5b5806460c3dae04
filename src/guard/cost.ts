import { GuardStack } from './model';

/**
 * What each key of a template costs per month as AWS prices it: the key itself, the key versions rotation adds (up to
 * AWS's cap), and requests at a rate the user gives. Prices are the us-east-1 list prices; the account-wide free tier
 * (20,000 requests a month) is left out, since it is shared by every key of the account.
 *
 * @see https://aws.amazon.com/kms/pricing/
 * @module
 */

/** KMS list prices in USD (us-east-1). */
export const KMS_PRICES = {
  /** Each customer managed key (a multi-Region replica is a key of its own). */
  keyPerMonth: 1,
  /** Each rotated key version, for the first `billedRotations` rotations; later rotations are free (since April 2024). */
  rotatedVersionPerMonth: 1,
  billedRotations: 2,
  /** Symmetric, HMAC and RSA_2048 requests. */
  requestsPer10k: 0.03,
  /** Requests on asymmetric keys other than RSA_2048. */
  asymmetricRequestsPer10k: 0.15,
} as const;

/** The monthly cost of one key. */
export interface KeyCost {
  readonly stack: string;
  readonly logicalId: string;
  readonly path: string;
  readonly replica: boolean;
  readonly keySpec: string;
  /** Rotation period in days when the key rotates (a replica follows its primary: assumed to rotate yearly). */
  readonly rotationPeriodDays?: number;
  /** USD a month for the key alone, today. */
  readonly keyNow: number;
  /** USD a month for the key once rotation has reached AWS's cap (`keyNow` when it does not rotate). */
  readonly keyAtCap: number;
  /** Days after creation when the cap is reached. */
  readonly capReachedAfterDays?: number;
  readonly requestsPerMonth: number;
  readonly requestCost: number;
  /** `keyAtCap + requestCost`, rounded to cents. */
  readonly monthlyAtCap: number;
}

/** The costs of every key of a stack at a request rate per key. */
export function keyCosts(stack: GuardStack, requestsPerMonth = 0): KeyCost[] {
  return stack.keys.map(key => {
    const replica = key.type === 'AWS::KMS::ReplicaKey';
    // A key spec known only at deploy time is priced as symmetric and labelled so (GK0 reports it).
    const spec = key.properties.KeySpec ?? 'SYMMETRIC_DEFAULT';
    const keySpec = typeof spec === 'string' ? spec : '(unresolved)';
    const rotates = replica || (key.properties.EnableKeyRotation === true || key.properties.EnableKeyRotation === 'true');
    const days = Number(key.properties.RotationPeriodInDays ?? 365);
    // (a period known only at deploy time: AWS's default, 365 days)
    const period = rotates ? (Number.isFinite(days) ? days : 365) : undefined;
    const atCap = KMS_PRICES.keyPerMonth + (rotates ? KMS_PRICES.billedRotations * KMS_PRICES.rotatedVersionPerMonth : 0);
    const per10k = keySpec === 'SYMMETRIC_DEFAULT' || keySpec === '(unresolved)' || keySpec.startsWith('HMAC') || keySpec === 'RSA_2048'
      ? KMS_PRICES.requestsPer10k : KMS_PRICES.asymmetricRequestsPer10k;
    const requestCost = cents(requestsPerMonth / 10_000 * per10k);
    return {
      stack: stack.source.stackName,
      logicalId: key.logicalId,
      path: key.path,
      replica,
      keySpec,
      rotationPeriodDays: period,
      keyNow: KMS_PRICES.keyPerMonth,
      keyAtCap: atCap,
      capReachedAfterDays: period === undefined ? undefined : period * KMS_PRICES.billedRotations,
      requestsPerMonth,
      requestCost,
      monthlyAtCap: cents(atCap + requestCost),
    };
  });
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
