import { randomBytes } from 'crypto';
import { KmsError, missingMember, validationError } from '../errors';
import { Input, optionalString, requiredString } from '../input';
import { GrantRecordStored, KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, stopIfDryRun } from './shared';

/** The operations a grant may allow (KMS's enum). */
export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify',
  'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
];
/** Operations every key's grants may allow. */
const COMMON_OPERATIONS = ['CreateGrant', 'RetireGrant', 'DescribeKey'];

/** The grant operations each kind of key supports (KMS's "grant operations" table); the rest are refused. */
export function grantOperationsFor(key: KeyRecord): string[] {
  if (key.keyUsage === 'GENERATE_VERIFY_MAC') return [...COMMON_OPERATIONS, 'GenerateMac', 'VerifyMac'];
  if (key.keyUsage === 'SIGN_VERIFY') return [...COMMON_OPERATIONS, 'Sign', 'Verify', 'GetPublicKey'];
  if (key.keyUsage === 'KEY_AGREEMENT') return [...COMMON_OPERATIONS, 'DeriveSharedSecret', 'GetPublicKey'];
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') return [...COMMON_OPERATIONS, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
  return [
    ...COMMON_OPERATIONS, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
    'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  ];
}

const PRINCIPAL = /^(arn:aws[a-z-]*:(iam|sts)::\d{12}:.+|[a-z0-9.-]+\.amazonaws\.com)$/;

export const createGrant: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const grantee = requiredString(input, 'GranteePrincipal', { max: 256, pattern: PRINCIPAL });
  const retiring = optionalString(input, 'RetiringPrincipal', { max: 256, pattern: PRINCIPAL });
  const operations = operationsOf(input);
  const constraints = constraintsOf(input);
  const name = optionalString(input, 'Name', { max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ });
  const unsupported = operations.filter(op => !grantOperationsFor(key).includes(op));
  if (unsupported.length) {
    throw new KmsError('ValidationException', `Grant operations [${unsupported.join(', ')}] are not supported by ${key.arn} (KeyUsage ${key.keyUsage}).`);
  }
  ctx.assertUsable(key);
  ctx.authorize('kms:CreateGrant', key, {
    grantTokens: grantTokensOf(input),
    newGrant: { operations, constraints },
    conditions: {
      'kms:GrantOperations': operations,
      'kms:GranteePrincipal': grantee,
      ...(retiring ? { 'kms:RetiringPrincipal': retiring } : {}),
      'kms:GrantIsForAWSResource': ctx.request.viaService !== undefined,
      ...(constraints?.encryptionContextEquals ? { 'kms:GrantConstraintType': 'EncryptionContextEquals' } : {}),
      ...(constraints?.encryptionContextSubset ? { 'kms:GrantConstraintType': 'EncryptionContextSubset' } : {}),
    },
  });
  stopIfDryRun(input);
  const existing = name ? ctx.grantsOf(key).find(g => g.name === name && g.granteePrincipal === grantee) : undefined;
  if (existing) return { GrantId: existing.grantId, GrantToken: existing.grantToken };
  const grant: GrantRecordStored = {
    grantId: randomBytes(32).toString('hex'),
    grantToken: randomBytes(48).toString('base64url'),
    keyArn: key.arn,
    keyId: key.keyId,
    account: key.account,
    region: key.region,
    granteePrincipal: grantee,
    retiringPrincipal: retiring,
    issuingAccount: `arn:aws:iam::${ctx.account}:root`,
    operations,
    constraints,
    name,
    createdAt: ctx.now(),
  };
  ctx.store.putGrant(grant);
  return { GrantId: grant.grantId, GrantToken: grant.grantToken };
};

function operationsOf(input: Input): string[] {
  const value = input.Operations;
  if (value === undefined || value === null) throw missingMember('Operations');
  if (!Array.isArray(value) || value.some(op => typeof op !== 'string')) throw new KmsError('SerializationException', 'Expected a list of strings for Operations');
  if (value.length === 0) throw validationError('Operations', 'Member must have length greater than or equal to 1', value);
  if (value.some(op => !GRANT_OPERATIONS.includes(op))) {
    throw validationError('Operations', `Member must satisfy constraint: [Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]]`, value);
  }
  return [...new Set(value as string[])];
}

function constraintsOf(input: Input): GrantRecordStored['constraints'] {
  const c = input.Constraints as Record<string, unknown> | undefined;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object') throw new KmsError('SerializationException', 'Expected an object for Constraints');
  const map = (v: unknown, field: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Object.values(v).some(x => typeof x !== 'string')) {
      throw new KmsError('SerializationException', `Expected a string map for Constraints.${field}`);
    }
    return v as Record<string, string>;
  };
  return { encryptionContextEquals: map(c.EncryptionContextEquals, 'EncryptionContextEquals'), encryptionContextSubset: map(c.EncryptionContextSubset, 'EncryptionContextSubset') };
}
