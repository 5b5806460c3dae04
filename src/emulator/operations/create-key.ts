import { randomBytes, randomUUID } from 'crypto';
import { OperationContext } from '../context';
import { KmsError } from '../errors';
import { Input, optionalBoolean, optionalEnum, optionalString, optionalTags } from '../input';
import { newMaterial } from '../lifecycle';
import { keyMetadata } from '../metadata';
import { defaultKeyPolicy, validateKeyPolicy } from '../policy-document';
import { KeyRecord, KeySpecName, KeyUsageName } from '../state';
import { Handler } from './handler';
import { assertPolicyKeepsCallerIn } from './lockout';

export const KEY_SPECS: readonly KeySpecName[] = [
  'SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
];
export const KEY_USAGES: readonly KeyUsageName[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'];

/** The usages each spec allows (KMS's table). */
const USAGES_OF_SPEC = (spec: KeySpecName): KeyUsageName[] => {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  return ['SIGN_VERIFY'];
};

/** Default rotation period when rotation is enabled without one. */
export const DEFAULT_ROTATION_DAYS = 365;

export const createKey: Handler = (ctx, input) => {
  const keySpec = optionalEnum(input, 'KeySpec', KEY_SPECS) ?? optionalEnum(input, 'CustomerMasterKeySpec', KEY_SPECS) ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = optionalEnum(input, 'KeyUsage', KEY_USAGES) ?? USAGES_OF_SPEC(keySpec)[0];
  if (!USAGES_OF_SPEC(keySpec).includes(keyUsage)) {
    throw new KmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  const origin = optionalEnum(input, 'Origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const);
  if (origin && origin !== 'AWS_KMS') throw new KmsError('UnsupportedOperationException', `The emulator supports Origin AWS_KMS only. Received: ${origin}`);
  const multiRegion = optionalBoolean(input, 'MultiRegion') ?? false;
  const description = optionalString(input, 'Description', { min: 0, max: 8192 }) ?? '';
  const tags = optionalTags(input) ?? {};
  const policy = policyFrom(ctx, input);

  ctx.authorize('kms:CreateKey', undefined, { conditions: { 'kms:KeySpec': keySpec, 'kms:KeyUsage': keyUsage, 'kms:MultiRegion': multiRegion } });

  const now = ctx.now();
  const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
  const key: KeyRecord = {
    keyId,
    account: ctx.account,
    region: ctx.region,
    arn: ctx.keyArn(keyId),
    keySpec,
    keyUsage,
    origin: 'AWS_KMS',
    description,
    state: 'Enabled',
    createdAt: now,
    policy,
    tags,
    rotation: { enabled: false, periodDays: DEFAULT_ROTATION_DAYS },
    materials: [newMaterial({ keySpec }, now)],
    multiRegion,
    multiRegionKeyType: multiRegion ? 'PRIMARY' : undefined,
  };
  if (input.Policy !== undefined) assertPolicyKeepsCallerIn(ctx, key, bypassOf(input));
  ctx.store.putKey(key);
  return { KeyMetadata: keyMetadata(key, ctx.store) };
};

/**
 * The policy in the request (its shape validated), or KMS's default. The lockout safety check runs once the key
 * record exists (`assertPolicyKeepsCallerIn`), and only for a policy the request gave: KMS's default policy
 * trusts the account, which is what a caller allowed CreateKey by IAM expects.
 */
export function policyFrom(ctx: OperationContext, input: Input): string {
  const policy = optionalString(input, 'Policy', { max: 131072 });
  if (policy === undefined) return defaultKeyPolicy(ctx.account);
  validateKeyPolicy(policy);
  return policy;
}

/** `BypassPolicyLockoutSafetyCheck` of a request. */
export function bypassOf(input: Input): boolean {
  return optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck') ?? false;
}

