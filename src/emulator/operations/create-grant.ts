import { randomBytes } from 'crypto';
import { KmsError } from '../errors';
import { Input, optionalString, requiredString } from '../input';
import { GrantRecordStored } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput } from './shared';

/** The operations a grant may allow (KMS's enum). */
export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify',
  'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
];
const PRINCIPAL = /^(arn:aws[a-z-]*:(iam|sts)::\d{12}:.+|[a-z0-9.-]+\.amazonaws\.com)$/;

export const createGrant: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const grantee = requiredString(input, 'GranteePrincipal', { max: 256, pattern: PRINCIPAL });
  const retiring = optionalString(input, 'RetiringPrincipal', { max: 256, pattern: PRINCIPAL });
  const operations = operationsOf(input);
  const constraints = constraintsOf(input);
  const name = optionalString(input, 'Name', { max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ });
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
  if (!Array.isArray(value) || value.length === 0) throw new KmsError('ValidationException', "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must not be empty");
  for (const op of value) {
    if (typeof op !== 'string' || !GRANT_OPERATIONS.includes(op)) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]`);
    }
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
