import { ConditionValue } from '../authz/types';
import { OperationContext } from '../context';
import { decryptBlob, encryptBlob, parseBlob } from '../crypto/symmetric';
import { dryRunSucceeded, KmsError, withoutMessage } from '../errors';
import { dryRunOf, Input, KEY_ID_RULE, optionalEnum, optionalInteger, optionalStringList, optionalStringMap, requiredString } from '../input';
import { keyMaterialId } from '../metadata';
import { DATA_KEY_SPEC_ENUM, ENCRYPTION_ALGORITHM_ENUM } from '../model-enums';
import { KeyRecord, KeyUsageName } from '../state';

/** KMS's size limits. */
export const MAX_PLAINTEXT_BYTES = 4096;
export const MAX_CIPHERTEXT_BYTES = 6144;

/**
 * The operations whose `KeyId` may be an alias name or alias ARN (KMS's API reference: "key ID, key ARN, alias
 * name, or alias ARN"). Every other operation takes only a key id or key ARN and refuses an alias with
 * `NotFoundException: Invalid keyId alias/...`.
 */
export const ACCEPTS_ALIAS: ReadonlySet<string> = new Set([
  'Decrypt', 'DeriveSharedSecret', 'DescribeKey', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GetPublicKey', 'ReEncrypt', 'Sign', 'Verify', 'VerifyMac',
]);

/** The key a request names in `KeyId`, an alias only where the operation accepts one. */
export function keyFromInput(ctx: OperationContext, input: Input, field = 'KeyId'): KeyRecord {
  return ctx.resolveKey(requiredString(input, field, KEY_ID_RULE), { allowAlias: ACCEPTS_ALIAS.has(ctx.request.operation) });
}

/** DryRun: every check passed, so say so instead of acting (call it after authorization, before any change). */
export function stopIfDryRun(input: Input): void {
  if (dryRunOf(input)) throw dryRunSucceeded();
}

/** The request's encryption context (also validated as a string map). */
export function encryptionContextOf(input: Input, field = 'EncryptionContext'): Record<string, string> | undefined {
  return optionalStringMap(input, field);
}

/** An `EncryptionAlgorithm` field: KMS's enum, of which the emulator serves all but SM2PKE (China Regions). */
export function encryptionAlgorithmOf(input: Input, field: string): 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' {
  const algorithm = optionalEnum(input, field, ENCRYPTION_ALGORITHM_ENUM) ?? 'SYMMETRIC_DEFAULT';
  if (algorithm === 'SM2PKE') throw new KmsError('UnsupportedOperationException', 'The emulator does not support SM2PKE (SM2 keys).');
  return algorithm;
}

/**
 * An absent encryption context as authorization sees it, shared by every request that has none (frozen: a reader
 * of one request's authorization cannot change another's).
 */
export const NO_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({});

/** `kms:EncryptionAlgorithm` as a condition of the authorization, one frozen object per algorithm (not one per request). */
export function algorithmCondition(algorithm: string): Readonly<Record<string, ConditionValue>> {
  let condition = ALGORITHM_CONDITIONS.get(algorithm);
  if (!condition) ALGORITHM_CONDITIONS.set(algorithm, condition = Object.freeze({ 'kms:EncryptionAlgorithm': algorithm }));
  return condition;
}

const ALGORITHM_CONDITIONS = new Map<string, Readonly<Record<string, ConditionValue>>>();

/** `GrantTokens`, at most 10 as KMS allows. */
export function grantTokensOf(input: Input): string[] | undefined {
  return optionalStringList(input, 'GrantTokens', 10);
}

/** A key must have the usage an operation needs, or KMS says InvalidKeyUsageException (in its words). */
export function requireUsage(key: KeyRecord, usage: KeyUsageName, operation: string, symmetricOnly = false): void {
  if (key.keyUsage !== usage || (symmetricOnly && key.keySpec !== 'SYMMETRIC_DEFAULT')) {
    throw new KmsError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
}

/** KMS's text when a KeyId names another key than the one a ciphertext needs (it still says CMK). */
export const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

/** Encrypts under the key's newest material. */
export function encryptUnder(key: KeyRecord, plaintext: Buffer, context?: Record<string, string>): Buffer {
  return encryptBlob(key.keyId, key.materials[key.materials.length - 1], plaintext, context);
}

/** `KeyMaterialId` of what {@link encryptUnder} encrypts with (KMS returns it from the data key operations). */
export function currentKeyMaterialId(key: KeyRecord): string {
  return keyMaterialId(key.materials[key.materials.length - 1]);
}

/**
 * Finds the key a symmetric ciphertext names (in the caller's region; a key ARN in the blob's account), checks
 * it against an optional `KeyId` (IncorrectKeyException) and its state, authorizes, and decrypts.
 */
export function decryptSymmetric(
  ctx: OperationContext, blob: Buffer, keyIdParam: string | undefined, context: Record<string, string> | undefined,
  action: string, grantTokens?: string[], dryRun = false,
): { key: KeyRecord; plaintext: Buffer; keyMaterialId: string } {
  const named = keyIdParam !== undefined ? ctx.resolveKey(keyIdParam) : undefined;
  // A named key that cannot have made symmetric ciphertext (an HMAC or asymmetric key) is the wrong key.
  if (named && (named.keyUsage !== 'ENCRYPT_DECRYPT' || named.keySpec !== 'SYMMETRIC_DEFAULT')) throw new KmsError('IncorrectKeyException', INCORRECT_KEY);
  const parsed = parseBlob(blob);
  const key = named ?? findBlobKey(ctx, parsed.keyId);
  if (named && named.keyId !== parsed.keyId) throw new KmsError('IncorrectKeyException', INCORRECT_KEY);
  requireUsage(key, 'ENCRYPT_DECRYPT', ctx.request.operation, true);
  ctx.assertUsable(key);
  // kms:EncryptionAlgorithm is set when the request leaves the parameter out, to its default (KMS's condition keys
  // "work even when the parameter doesn't appear in the request"): a policy that requires SYMMETRIC_DEFAULT allows it.
  ctx.authorize(action, key, { encryptionContext: context ?? NO_ENCRYPTION_CONTEXT, grantTokens, conditions: algorithmCondition('SYMMETRIC_DEFAULT') });
  if (dryRun) throw dryRunSucceeded();
  // Imported material that was deleted or expired (its id kept, its secret gone) decrypts nothing until re-imported.
  if (key.materials.find(m => m.id === parsed.materialId)?.importState === 'PENDING_IMPORT') {
    throw new KmsError('KMSInvalidStateException', `${key.arn} key material ${parsed.materialId} is pending import.`);
  }
  const plaintext = decryptBlob(parsed, key.materials, context);
  return { key, plaintext, keyMaterialId: keyMaterialId(key.materials.find(m => m.id === parsed.materialId)!) };
}

function findBlobKey(ctx: OperationContext, keyId: string): KeyRecord {
  // By the blob's key id (an index), not a walk over every key: the caller's own account first.
  const inRegion = ctx.store.keysWithId(keyId).filter(k => k.region === ctx.region);
  const any = inRegion.find(k => k.account === ctx.account) ?? inRegion[0];
  if (!any) throw withoutMessage('InvalidCiphertextException');
  return any;
}

/** `GenerateDataKey` sizes: `NumberOfBytes` 1-1024 or `KeySpec` AES_128/AES_256 (exactly one). */
export function dataKeyLength(input: Input): number {
  const bytes = input.NumberOfBytes;
  const spec = input.KeySpec;
  if (bytes !== undefined && spec !== undefined) throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  if (spec !== undefined) return optionalEnum(input, 'KeySpec', DATA_KEY_SPEC_ENUM) === 'AES_128' ? 16 : 32;
  if (bytes === undefined) throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  return optionalInteger(input, 'NumberOfBytes', 1, 1024)!;
}

/** KMS rotates symmetric keys only, and a multi-Region key only through its primary. */
export function assertRotatable(key: KeyRecord): void {
  // KMS answers rotation requests on asymmetric and HMAC keys with an empty message.
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperationException', '');
  if (key.multiRegionKeyType === 'REPLICA') {
    throw new KmsError('UnsupportedOperationException', `${key.arn} is a replica: rotation is set on, and done by, its primary.`);
  }
}
