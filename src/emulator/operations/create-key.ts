import { randomBytes, randomUUID } from 'crypto';
import { assertImportableSpec } from '../byok/material-kinds';
import { OperationContext } from '../context';
import { KmsError } from '../errors';
import { Input, optionalBoolean, optionalEnum, optionalString, optionalTags } from '../input';
import { newMaterial } from '../lifecycle';
import { keyMetadata } from '../metadata';
import { KEY_SPEC_ENUM, KEY_USAGE_ENUM, ORIGIN_ENUM } from '../model-enums';
import { defaultKeyPolicy, validateKeyPolicy } from '../policy-document';
import { KeyRecord, KeySpecName, KeyUsageName } from '../state';
import { Handler } from './handler';
import { assertPolicyKeepsCallerIn } from './lockout';

export const KEY_SPECS: readonly KeySpecName[] = [
  'SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
];
export const KEY_USAGES: readonly KeyUsageName[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];

/**
 * The usages each spec allows (KMS's table, CreateKey `KeyUsage`): NIST curves sign or agree keys; secp256k1,
 * Ed25519 and ML-DSA only sign.
 */
const USAGES_OF_SPEC = (spec: KeySpecName): KeyUsageName[] => {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('ECC_NIST_P')) return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY'];
};

/** Default rotation period when rotation is enabled without one. */
export const DEFAULT_ROTATION_DAYS = 365;

export const createKey: Handler = (ctx, input) => {
  const keySpec = servedOnly(optionalEnum(input, 'KeySpec', KEY_SPEC_ENUM) ?? optionalEnum(input, 'CustomerMasterKeySpec', KEY_SPEC_ENUM), KEY_SPECS, 'KeySpec')
    ?? 'SYMMETRIC_DEFAULT';
  const requestedUsage = servedOnly(optionalEnum(input, 'KeyUsage', KEY_USAGE_ENUM), KEY_USAGES, 'KeyUsage');
  // KMS defaults KeyUsage only for symmetric encryption keys.
  if (requestedUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const keyUsage = requestedUsage ?? 'ENCRYPT_DECRYPT';
  if (!USAGES_OF_SPEC(keySpec).includes(keyUsage)) {
    throw new KmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  const origin = optionalEnum(input, 'Origin', ORIGIN_ENUM);
  if (origin && origin !== 'AWS_KMS' && origin !== 'EXTERNAL') {
    throw new KmsError('UnsupportedOperationException', `The emulator supports Origin AWS_KMS and EXTERNAL only. Received: ${origin}`);
  }
  const multiRegion = optionalBoolean(input, 'MultiRegion') ?? false;
  // Imported material (BYOK): symmetric, HMAC, RSA and ECC keys, single- or multi-Region (byok/material-kinds.ts).
  if (origin === 'EXTERNAL') assertImportableSpec(keySpec);
  const external = origin === 'EXTERNAL';
  const description = optionalString(input, 'Description', { min: 0, max: 8192 }) ?? '';
  const tags = optionalTags(input) ?? {};
  const policy = policyFrom(ctx, input);

  ctx.authorize('kms:CreateKey', undefined, {
    conditions: { 'kms:KeySpec': keySpec, 'kms:KeyUsage': keyUsage, 'kms:MultiRegion': multiRegion, 'kms:KeyOrigin': origin ?? 'AWS_KMS' },
  });

  const now = ctx.now();
  const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
  const key: KeyRecord = {
    keyId,
    account: ctx.account,
    region: ctx.region,
    arn: ctx.keyArn(keyId),
    keySpec,
    keyUsage,
    origin: external ? 'EXTERNAL' : 'AWS_KMS',
    description,
    state: external ? 'PendingImport' : 'Enabled',
    createdAt: now,
    policy,
    tags,
    rotation: { enabled: false, periodDays: DEFAULT_ROTATION_DAYS },
    materials: external ? [] : [newMaterial({ keySpec }, now)], // EXTERNAL: none until ImportKeyMaterial
    multiRegion,
    multiRegionKeyType: multiRegion ? 'PRIMARY' : undefined,
  };
  if (input.Policy !== undefined) assertPolicyKeepsCallerIn(ctx, key, bypassOf(input));
  ctx.store.putKey(key);
  return { KeyMetadata: keyMetadata(key, ctx.store) };
};

/** A value KMS's model allows but the emulator does not serve (SM2): UnsupportedOperationException. */
function servedOnly<T extends string>(value: string | undefined, served: readonly T[], field: string): T | undefined {
  if (value !== undefined && !served.includes(value as T)) throw new KmsError('UnsupportedOperationException', `The emulator does not support ${field} ${value}.`);
  return value as T | undefined;
}

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

