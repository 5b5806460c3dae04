import { OperationContext } from '../context';
import { decryptBlob, encryptBlob, parseBlob } from '../crypto/symmetric';
import { KmsError } from '../errors';
import { Input, KEY_ID_RULE, optionalStringList, optionalStringMap, requiredString } from '../input';
import { KeyRecord, KeyUsageName } from '../state';

/** KMS's size limits. */
export const MAX_PLAINTEXT_BYTES = 4096;
export const MAX_CIPHERTEXT_BYTES = 6144;

/** The key a request names in `KeyId`. */
export function keyFromInput(ctx: OperationContext, input: Input, field = 'KeyId'): KeyRecord {
  return ctx.resolveKey(requiredString(input, field, KEY_ID_RULE));
}

/** The request's encryption context (also validated as a string map). */
export function encryptionContextOf(input: Input, field = 'EncryptionContext'): Record<string, string> | undefined {
  return optionalStringMap(input, field);
}

/** `GrantTokens`, at most 10 as KMS allows. */
export function grantTokensOf(input: Input): string[] | undefined {
  return optionalStringList(input, 'GrantTokens', 10);
}

/** A key must have the usage an operation needs, or KMS says InvalidKeyUsageException. */
export function requireUsage(key: KeyRecord, usage: KeyUsageName, operation: string, symmetricOnly = false): void {
  if (key.keyUsage !== usage || (symmetricOnly && key.keySpec !== 'SYMMETRIC_DEFAULT')) {
    throw new KmsError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} (${key.keySpec}) which is not valid for ${operation}.`);
  }
}

/** Encrypts under the key's newest material. */
export function encryptUnder(key: KeyRecord, plaintext: Buffer, context?: Record<string, string>): Buffer {
  return encryptBlob(key.keyId, key.materials[key.materials.length - 1], plaintext, context);
}

/**
 * Finds the key a symmetric ciphertext names (in the caller's region; a key ARN in the blob's account), checks
 * it against an optional `KeyId` (IncorrectKeyException) and its state, authorizes, and decrypts.
 */
export function decryptSymmetric(
  ctx: OperationContext, blob: Buffer, keyIdParam: string | undefined, context: Record<string, string> | undefined,
  action: string, grantTokens?: string[],
): { key: KeyRecord; plaintext: Buffer } {
  const parsed = parseBlob(blob);
  const named = keyIdParam !== undefined ? ctx.resolveKey(keyIdParam) : undefined;
  const key = named ?? findBlobKey(ctx, parsed.keyId);
  if (named && named.keyId !== parsed.keyId) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
  }
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt', true);
  ctx.assertUsable(key);
  ctx.authorize(action, key, { encryptionContext: context ?? {}, grantTokens });
  return { key, plaintext: decryptBlob(parsed, key.materials, context) };
}

function findBlobKey(ctx: OperationContext, keyId: string): KeyRecord {
  const own = [...ctx.store.keys.values()].find(k => k.keyId === keyId && k.region === ctx.region && k.account === ctx.account);
  const any = own ?? [...ctx.store.keys.values()].find(k => k.keyId === keyId && k.region === ctx.region);
  if (!any) throw new KmsError('InvalidCiphertextException', 'The ciphertext refers to a KMS key that does not exist or that you cannot access.');
  return any;
}

/** `GenerateDataKey` sizes: `NumberOfBytes` 1-1024 or `KeySpec` AES_128/AES_256 (exactly one). */
export function dataKeyLength(input: Input): number {
  const bytes = input.NumberOfBytes;
  const spec = input.KeySpec;
  if (bytes !== undefined && spec !== undefined) throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  if (spec !== undefined) {
    if (spec === 'AES_256') return 32;
    if (spec === 'AES_128') return 16;
    throw new KmsError('ValidationException', "1 validation error detected: Value at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
  }
  if (bytes === undefined) throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  if (typeof bytes !== 'number' || !Number.isInteger(bytes)) throw new KmsError('SerializationException', 'Expected an integer for NumberOfBytes');
  if (bytes < 1 || bytes > 1024) throw new KmsError('ValidationException', "1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024");
  return bytes;
}

/** KMS rotates symmetric keys only, and a multi-Region key only through its primary. */
export function assertRotatable(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('UnsupportedOperationException', `${key.arn} is not a symmetric key: KMS rotates symmetric keys only.`);
  }
  if (key.multiRegionKeyType === 'REPLICA') {
    throw new KmsError('UnsupportedOperationException', `${key.arn} is a replica: rotation is set on, and done by, its primary.`);
  }
}
