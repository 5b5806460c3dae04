import { rsaEncrypt } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { requiredBlob } from '../input';
import { Handler } from './handler';
import { algorithmCondition, encryptionAlgorithmOf, encryptionContextOf, encryptUnder, grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, NO_ENCRYPTION_CONTEXT, requireUsage, stopIfDryRun } from './shared';


export const encrypt: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const plaintext = requiredBlob(input, 'Plaintext', 1, MAX_PLAINTEXT_BYTES);
  const context = encryptionContextOf(input);
  const algorithm = encryptionAlgorithmOf(input, 'EncryptionAlgorithm');
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Encrypt');
  ctx.assertUsable(key);
  ctx.authorize('kms:Encrypt', key, { encryptionContext: context ?? NO_ENCRYPTION_CONTEXT, grantTokens: grantTokensOf(input), conditions: algorithmCondition(algorithm) });
  stopIfDryRun(input);
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    if (algorithm !== 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for a symmetric key.`);
    return { CiphertextBlob: encryptUnder(key, plaintext, context).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
  }
  if (algorithm === 'SYMMETRIC_DEFAULT') throw new KmsError('InvalidKeyUsageException', 'An RSA key needs an EncryptionAlgorithm of RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256.');
  if (context) throw new KmsError('ValidationException', 'Asymmetric keys do not support an encryption context.');
  return { CiphertextBlob: rsaEncrypt(key.materials[0].secret, algorithm, plaintext).toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
};
