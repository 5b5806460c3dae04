import { rsaDecrypt, RSA_ENCRYPTION_ALGORITHMS } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { KEY_ID_RULE, optionalEnum, optionalString, requiredBlob } from '../input';
import { Handler } from './handler';
import { decryptSymmetric, encryptionContextOf, grantTokensOf, MAX_CIPHERTEXT_BYTES, requireUsage } from './shared';

const ALGORITHMS = ['SYMMETRIC_DEFAULT', ...RSA_ENCRYPTION_ALGORITHMS] as const;

export const decrypt: Handler = (ctx, input) => {
  const blob = requiredBlob(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BYTES);
  const context = encryptionContextOf(input);
  const keyId = optionalString(input, 'KeyId', KEY_ID_RULE);
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const { key, plaintext } = decryptSymmetric(ctx, blob, keyId, context, 'kms:Decrypt', grantTokensOf(input));
    return { Plaintext: plaintext.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
  }
  if (keyId === undefined) throw new KmsError('ValidationException', 'KeyId is required to decrypt with an asymmetric key.');
  const key = ctx.resolveKey(keyId);
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
  if (key.keySpec === 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a symmetric key.`);
  ctx.assertUsable(key);
  ctx.authorize('kms:Decrypt', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:EncryptionAlgorithm': algorithm } });
  return { Plaintext: rsaDecrypt(key.materials[0].secret, algorithm, blob).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
};
