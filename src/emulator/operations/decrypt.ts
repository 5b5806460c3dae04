import { rsaDecrypt } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { dryRunOf, KEY_ID_RULE, optionalString, requiredBlob } from '../input';
import { Handler } from './handler';
import { algorithmCondition, decryptSymmetric, encryptionAlgorithmOf, encryptionContextOf, grantTokensOf, MAX_CIPHERTEXT_BYTES, requireUsage, stopIfDryRun } from './shared';


export const decrypt: Handler = (ctx, input) => {
  const blob = requiredBlob(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BYTES);
  const context = encryptionContextOf(input);
  const keyId = optionalString(input, 'KeyId', KEY_ID_RULE);
  const algorithm = encryptionAlgorithmOf(input, 'EncryptionAlgorithm');
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const { key, plaintext, keyMaterialId } = decryptSymmetric(ctx, blob, keyId, context, 'kms:Decrypt', grantTokensOf(input), dryRunOf(input));
    try {
      return { Plaintext: plaintext.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm, KeyMaterialId: keyMaterialId };
    } finally {
      plaintext.fill(0);
    }
  }
  if (keyId === undefined) throw new KmsError('ValidationException', 'KeyId is required to decrypt with an asymmetric key.');
  const key = ctx.resolveKey(keyId);
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
  if (key.keySpec === 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a symmetric key.`);
  ctx.assertUsable(key);
  ctx.authorize('kms:Decrypt', key, { grantTokens: grantTokensOf(input), conditions: algorithmCondition(algorithm) });
  stopIfDryRun(input);
  return { Plaintext: rsaDecrypt(key.materials[0].secret, algorithm, blob).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
};
