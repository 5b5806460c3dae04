import { randomBytes } from 'crypto';
import { Handler } from './handler';
import { dataKeyLength, encryptionContextOf, encryptUnder, grantTokensOf, keyFromInput, requireUsage } from './shared';

export const generateDataKey: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const length = dataKeyLength(input);
  const context = encryptionContextOf(input);
  requireUsage(key, 'ENCRYPT_DECRYPT', 'GenerateDataKey', true);
  ctx.assertUsable(key);
  ctx.authorize('kms:GenerateDataKey', key, { encryptionContext: context ?? {}, grantTokens: grantTokensOf(input) });
  const plaintext = randomBytes(length);
  try {
    return { CiphertextBlob: encryptUnder(key, plaintext, context).toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: key.arn };
  } finally {
    plaintext.fill(0);
  }
};
