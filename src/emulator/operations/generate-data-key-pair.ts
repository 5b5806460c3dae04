import { createPrivateKey } from 'crypto';
import { OperationContext } from '../context';
import { generatePrivateKeyPem, publicKeyDer } from '../crypto/asymmetric';
import { Input, requiredEnum } from '../input';
import { Handler } from './handler';
import { encryptionContextOf, encryptUnder, grantTokensOf, keyFromInput, requireUsage } from './shared';

const PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'] as const;

/** Shared by GenerateDataKeyPair and its WithoutPlaintext twin: a fresh key pair, its private key wrapped. */
export function dataKeyPair(ctx: OperationContext, input: Input, action: string, withPlaintext: boolean): Record<string, unknown> {
  const key = keyFromInput(ctx, input);
  const spec = requiredEnum(input, 'KeyPairSpec', PAIR_SPECS);
  const context = encryptionContextOf(input);
  requireUsage(key, 'ENCRYPT_DECRYPT', action.replace('kms:', ''), true);
  ctx.assertUsable(key);
  ctx.authorize(action, key, { encryptionContext: context ?? {}, grantTokens: grantTokensOf(input), conditions: { 'kms:DataKeyPairSpec': spec } });
  const pem = generatePrivateKeyPem(spec);
  const privateDer = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  try {
    return {
      PrivateKeyCiphertextBlob: encryptUnder(key, privateDer, context).toString('base64'),
      ...(withPlaintext ? { PrivateKeyPlaintext: privateDer.toString('base64') } : {}),
      PublicKey: publicKeyDer(pem).toString('base64'),
      KeyId: key.arn,
      KeyPairSpec: spec,
    };
  } finally {
    privateDer.fill(0);
  }
}

export const generateDataKeyPair: Handler = (ctx, input) => dataKeyPair(ctx, input, 'kms:GenerateDataKeyPair', true);
