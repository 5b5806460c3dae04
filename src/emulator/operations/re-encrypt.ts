import { KmsError } from '../errors';
import { KEY_ID_RULE, optionalString, requiredBlob, requiredString } from '../input';
import { Handler } from './handler';
import { currentKeyMaterialId, decryptSymmetric, encryptionAlgorithmOf, encryptionContextOf, encryptUnder, grantTokensOf, MAX_CIPHERTEXT_BYTES, requireUsage, stopIfDryRun } from './shared';

/**
 * Decrypts under the source key and encrypts under the destination inside the emulator: the plaintext never
 * leaves it. Needs `kms:ReEncryptFrom` on the source and `kms:ReEncryptTo` on the destination.
 */
export const reEncrypt: Handler = (ctx, input) => {
  const blob = requiredBlob(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BYTES);
  const sourceContext = encryptionContextOf(input, 'SourceEncryptionContext');
  const destinationContext = encryptionContextOf(input, 'DestinationEncryptionContext');
  const sourceKeyId = optionalString(input, 'SourceKeyId', KEY_ID_RULE);
  const destinationKeyId = requiredString(input, 'DestinationKeyId', KEY_ID_RULE);
  for (const field of ['SourceEncryptionAlgorithm', 'DestinationEncryptionAlgorithm']) {
    const value = encryptionAlgorithmOf(input, field);
    if (value !== 'SYMMETRIC_DEFAULT') {
      throw new KmsError('UnsupportedOperationException', `The emulator re-encrypts symmetric ciphertext only. Received ${field} ${value}`);
    }
  }
  const grantTokens = grantTokensOf(input);
  const destination = ctx.resolveKey(destinationKeyId);
  requireUsage(destination, 'ENCRYPT_DECRYPT', 'ReEncrypt', true);
  ctx.assertUsable(destination);
  const { key: source, plaintext, keyMaterialId: sourceMaterial } = decryptSymmetric(ctx, blob, sourceKeyId, sourceContext, 'kms:ReEncryptFrom', grantTokens);
  try {
    const sameKey = source.arn === destination.arn;
    ctx.authorize('kms:ReEncryptTo', destination, {
      encryptionContext: destinationContext ?? {}, grantTokens, conditions: { 'kms:ReEncryptOnSameKey': sameKey },
    });
    stopIfDryRun(input);
    return {
      CiphertextBlob: encryptUnder(destination, plaintext, destinationContext).toString('base64'),
      SourceKeyId: source.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: sourceMaterial,
      DestinationKeyMaterialId: currentKeyMaterialId(destination),
    };
  } finally {
    plaintext.fill(0);
  }
};
