import { OperationContext } from '../context';
import { rsaDecrypt, rsaEncrypt } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { KEY_ID_RULE, optionalString, requiredBlob, requiredString } from '../input';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import {
  currentKeyMaterialId, decryptSymmetric, encryptionAlgorithmOf, encryptionContextOf, encryptUnder, grantTokensOf, MAX_CIPHERTEXT_BYTES,
  requireUsage, stopIfDryRun,
} from './shared';

type EncryptionAlgorithm = ReturnType<typeof encryptionAlgorithmOf>;

/**
 * Decrypts under the source key and encrypts under the destination inside the emulator: the plaintext never
 * leaves it. Needs `kms:ReEncryptFrom` on the source and `kms:ReEncryptTo` on the destination. Either side may be
 * an RSA key (RSAES_OAEP_SHA_1/256): RSA ciphertext does not name its key, so the source then needs
 * `SourceKeyId`, and neither side takes an encryption context.
 */
export const reEncrypt: Handler = (ctx, input) => {
  const blob = requiredBlob(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BYTES);
  const sourceContext = encryptionContextOf(input, 'SourceEncryptionContext');
  const destinationContext = encryptionContextOf(input, 'DestinationEncryptionContext');
  const sourceKeyId = optionalString(input, 'SourceKeyId', KEY_ID_RULE);
  const destinationKeyId = requiredString(input, 'DestinationKeyId', KEY_ID_RULE);
  const sourceAlgorithm = encryptionAlgorithmOf(input, 'SourceEncryptionAlgorithm');
  const destinationAlgorithm = encryptionAlgorithmOf(input, 'DestinationEncryptionAlgorithm');
  const grantTokens = grantTokensOf(input);
  const destination = ctx.resolveKey(destinationKeyId);
  requireUsage(destination, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  checkAlgorithmFits(destination, destinationAlgorithm, destinationContext);
  ctx.assertUsable(destination);
  const source = sourceAlgorithm === 'SYMMETRIC_DEFAULT'
    ? decryptSymmetric(ctx, blob, sourceKeyId, sourceContext, 'kms:ReEncryptFrom', grantTokens)
    : decryptRsa(ctx, blob, sourceKeyId, sourceAlgorithm, sourceContext, grantTokens);
  const { key: sourceKey, plaintext } = source;
  try {
    const sameKey = sourceKey.arn === destination.arn;
    ctx.authorize('kms:ReEncryptTo', destination, {
      encryptionContext: destinationContext ?? {}, grantTokens, conditions: { 'kms:ReEncryptOnSameKey': sameKey, 'kms:EncryptionAlgorithm': destinationAlgorithm },
    });
    stopIfDryRun(input);
    const symmetric = destinationAlgorithm === 'SYMMETRIC_DEFAULT';
    const ciphertext = symmetric
      ? encryptUnder(destination, plaintext, destinationContext)
      : rsaEncrypt(destination.materials[0].secret, destinationAlgorithm, plaintext);
    return {
      CiphertextBlob: ciphertext.toString('base64'),
      SourceKeyId: sourceKey.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: sourceAlgorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
      ...(source.keyMaterialId ? { SourceKeyMaterialId: source.keyMaterialId } : {}),
      ...(symmetric ? { DestinationKeyMaterialId: currentKeyMaterialId(destination) } : {}),
    };
  } finally {
    plaintext.fill(0);
  }
};

/** The algorithm must suit the key (Encrypt's messages), and an RSA key takes no encryption context. */
function checkAlgorithmFits(key: KeyRecord, algorithm: EncryptionAlgorithm, context: Record<string, string> | undefined): void {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    if (algorithm !== 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a symmetric key.`);
    return;
  }
  if (algorithm === 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', 'An RSA key needs an EncryptionAlgorithm of RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256.');
  if (context) throw new KmsError('ValidationException', 'Asymmetric keys do not support an encryption context.');
}

/** RSA source ciphertext: the named key, checked, authorized for ReEncryptFrom, decrypted. */
function decryptRsa(
  ctx: OperationContext, blob: Buffer, keyId: string | undefined, algorithm: EncryptionAlgorithm, context: Record<string, string> | undefined,
  grantTokens: string[] | undefined,
): { key: KeyRecord; plaintext: Buffer; keyMaterialId?: string } {
  if (keyId === undefined) throw new KmsError('ValidationException', 'SourceKeyId is required to re-encrypt ciphertext of an asymmetric key.');
  const key = ctx.resolveKey(keyId);
  requireUsage(key, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  checkAlgorithmFits(key, algorithm, context);
  ctx.assertUsable(key);
  ctx.authorize('kms:ReEncryptFrom', key, { grantTokens, conditions: { 'kms:EncryptionAlgorithm': algorithm } });
  return { key, plaintext: rsaDecrypt(key.materials[0].secret, algorithm, blob) };
}
