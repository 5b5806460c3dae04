import { OperationContext } from './context';
import { parseBlob } from './crypto/symmetric';
import { KmsError } from './errors';
import type { Input } from './input';
import type { KeyRecord } from './state';

/**
 * KMS's request quotas, opt-in (`quotas: { scale }`, `guarded-keys emulator --quotas SCALE`), so a test can prove
 * its retries work and that S3 Bucket Keys or a data-key cache keep it under them. The defaults are KMS's
 * documented ones, multiplied by `scale` (0.001 turns 100,000 a second into 100):
 *
 * - cryptographic operations share one quota per account, Region and key type: symmetric (HMAC included)
 *   100,000/s in us-east-1, us-west-2 and eu-west-1, 20,000/s in us-east-2, ap-southeast-1, ap-southeast-2,
 *   ap-northeast-1, eu-central-1 and eu-west-2, 10,000/s elsewhere; RSA 1,000/s; ECC 1,000/s; ML-DSA 1,000/s;
 * - GenerateDataKeyPair (and WithoutPlaintext) have a quota per key pair spec (RSA_2048 20/s, RSA_3072 4/s,
 *   RSA_4096 1/s, ECC 100/s);
 * - every management operation has its own (CreateKey 5/s, DescribeKey 2,000/s, ...).
 *
 * A cross-account request counts against the caller's account, as in KMS. Each quota is a token bucket that holds
 * one second's worth (at least one request) and refills continuously by the emulator's clock, so a ManualClock
 * decides exactly when a request is throttled. A throttled request is answered `ThrottlingException` with KMS's
 * message and is recorded in the audit trail like any other.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html
 * @module
 */

/** The opt-in quota mode. */
export interface QuotaOptions {
  /** Multiplies every documented quota: 1 applies KMS's defaults, 0.001 a thousandth of them. */
  readonly scale: number;
}

/** KMS's ThrottlingException text. */
export const THROTTLING_MESSAGE = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

const LARGE_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);
const MEDIUM_REGIONS = new Set(['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2']);

/** Cryptographic operations: one shared quota per key type. */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac',
  'Sign', 'Verify', 'DeriveSharedSecret',
]);

/** Requests per second of each management operation (the same page's table). */
export const MANAGEMENT_QUOTAS: Readonly<Record<string, number>> = {
  CancelKeyDeletion: 5,
  CreateAlias: 5,
  CreateGrant: 50,
  CreateKey: 5,
  DeleteAlias: 15,
  DeleteImportedKeyMaterial: 15,
  DescribeKey: 2000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  EnableKey: 5,
  EnableKeyRotation: 15,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 1,
  GetPublicKey: 2000,
  ImportKeyMaterial: 15,
  ListAliases: 500,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeys: 500,
  ListKeyRotations: 100,
  ListResourceTags: 2000,
  ListRetirableGrants: 100,
  PutKeyPolicy: 15,
  ReplicateKey: 5,
  RetireGrant: 50,
  RevokeGrant: 50,
  RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 15,
  TagResource: 10,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateKeyDescription: 5,
  UpdatePrimaryRegion: 5,
};

const KEY_PAIR_QUOTAS: Readonly<Record<string, number>> = { RSA_2048: 20, RSA_3072: 4, RSA_4096: 1 };

/** The documented symmetric cryptographic quota of a Region. */
export function symmetricQuota(region: string): number {
  return LARGE_REGIONS.has(region) ? 100_000 : MEDIUM_REGIONS.has(region) ? 20_000 : 10_000;
}

/** Which quota a request counts against, and its documented rate (requests per second). */
export function quotaOf(
  operation: string, region: string, keySpec: string | undefined, input: Input,
): { name: string; perSecond: number } | undefined {
  if (CRYPTOGRAPHIC_OPERATIONS.has(operation)) {
    const type = keyTypeOf(keySpec);
    return { name: `cryptographic (${type})`, perSecond: type === 'symmetric' ? symmetricQuota(region) : 1000 };
  }
  if (operation === 'GenerateDataKeyPair' || operation === 'GenerateDataKeyPairWithoutPlaintext') {
    const spec = typeof input.KeyPairSpec === 'string' ? input.KeyPairSpec : 'unknown';
    return { name: `GenerateDataKeyPair (${spec})`, perSecond: KEY_PAIR_QUOTAS[spec] ?? 100 };
  }
  const perSecond = MANAGEMENT_QUOTAS[operation];
  return perSecond === undefined ? undefined : { name: operation, perSecond };
}

function keyTypeOf(keySpec: string | undefined): 'symmetric' | 'RSA' | 'ECC' | 'ML-DSA' {
  if (keySpec?.startsWith('RSA')) return 'RSA';
  if (keySpec?.startsWith('ECC') || keySpec === 'SM2') return 'ECC';
  if (keySpec?.startsWith('ML_DSA')) return 'ML-DSA';
  return 'symmetric'; // SYMMETRIC_DEFAULT, HMAC_*, and requests without a key (GenerateRandom)
}

/** The token buckets, per account, Region and quota. */
export class RequestQuotas {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(public readonly options: QuotaOptions) {
    if (!(Number.isFinite(options.scale) && options.scale > 0)) {
      throw new RangeError(`quotas.scale must be a positive number. Received: ${options.scale}`);
    }
  }

  /**
   * Takes one request from its quota, or throws ThrottlingException. The key is looked up without side effects
   * (an unknown key counts as symmetric; the operation then reports it as it would).
   */
  public admit(ctx: OperationContext, operation: string, input: Input): void {
    const key = keyOfRequest(ctx, input);
    const quota = quotaOf(operation, ctx.region, key?.keySpec, input);
    if (!quota) return;
    const account = ctx.account || ctx.request.sourceAccount || key?.account || 'service';
    const rate = quota.perSecond * this.options.scale;
    const capacity = Math.max(1, rate);
    const slot = `${account}/${ctx.region}/${quota.name}`;
    const now = ctx.now();
    const bucket = this.buckets.get(slot) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(slot, bucket);
    if (bucket.tokens < 1) {
      if (key) ctx.resources.push(key.arn); // the audit trail counts the throttled call against its key
      throw new KmsError('ThrottlingException', THROTTLING_MESSAGE);
    }
    bucket.tokens -= 1;
  }
}

/**
 * The key a request names (KeyId, else DestinationKeyId, else the key a symmetric CiphertextBlob names), found
 * without creating AWS managed keys.
 */
function keyOfRequest(ctx: OperationContext, input: Input): KeyRecord | undefined {
  const named = input.KeyId ?? input.DestinationKeyId;
  const id = typeof named === 'string' ? named : undefined;
  if (id === undefined) return keyOfCiphertext(ctx, input.CiphertextBlob);
  if (/(^|:)alias\/aws\//.test(id)) return undefined; // AWS managed keys are symmetric
  const scratch = new OperationContext(ctx.core, ctx.request); // its audit lists are thrown away
  try {
    return scratch.resolveKey(id);
  } catch {
    return undefined;
  }
}

function keyOfCiphertext(ctx: OperationContext, blob: unknown): KeyRecord | undefined {
  if (typeof blob !== 'string') return undefined;
  try {
    const { keyId } = parseBlob(Buffer.from(blob, 'base64'));
    const keys = ctx.store.keysWithId(keyId).filter(k => k.region === ctx.region);
    return keys.find(k => k.account === ctx.account) ?? keys[0];
  } catch {
    return undefined; // not the emulator's ciphertext: Decrypt says so
  }
}
