import { randomBytes } from 'crypto';
import { OperationContext } from '../context';
import { Input } from '../input';
import { Handler } from './handler';
import { algorithmCondition, currentKeyMaterialId, dataKeyLength, encryptionContextOf, encryptUnder, grantTokensOf, keyFromInput, NO_ENCRYPTION_CONTEXT, requireUsage, stopIfDryRun } from './shared';

/** GenerateDataKey and its WithoutPlaintext twin: a random key, encrypted under the KMS key, the plaintext wiped. */
export function generateDataKeyWith(ctx: OperationContext, input: Input, operation: string, withPlaintext: boolean): Record<string, unknown> {
  const key = keyFromInput(ctx, input);
  const length = dataKeyLength(input);
  const context = encryptionContextOf(input);
  requireUsage(key, 'ENCRYPT_DECRYPT', operation, true);
  ctx.assertUsable(key);
  // kms:EncryptionAlgorithm of a data key operation is the algorithm that encrypts the data key: always SYMMETRIC_DEFAULT.
  ctx.authorize(`kms:${operation}`, key, {
    encryptionContext: context ?? NO_ENCRYPTION_CONTEXT, grantTokens: grantTokensOf(input), conditions: algorithmCondition('SYMMETRIC_DEFAULT'),
  });
  stopIfDryRun(input);
  const plaintext = randomBytes(length);
  try {
    const ciphertext = encryptUnder(key, plaintext, context).toString('base64');
    return withPlaintext
      ? { CiphertextBlob: ciphertext, Plaintext: plaintext.toString('base64'), KeyId: key.arn, KeyMaterialId: currentKeyMaterialId(key) }
      : { CiphertextBlob: ciphertext, KeyId: key.arn, KeyMaterialId: currentKeyMaterialId(key) };
  } finally {
    plaintext.fill(0);
  }
}

export const generateDataKey: Handler = (ctx, input) => generateDataKeyWith(ctx, input, 'GenerateDataKey', true);
