import { createPrivateKey } from 'crypto';
import { OperationContext } from '../context';
import { generatePrivateKeyPem, publicKeyDer } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { Input, requiredEnum } from '../input';
import { DATA_KEY_PAIR_SPEC_ENUM } from '../model-enums';
import { Handler } from './handler';
import { currentKeyMaterialId, encryptionContextOf, encryptUnder, grantTokensOf, keyFromInput, requireUsage, stopIfDryRun } from './shared';


/** Shared by GenerateDataKeyPair and its WithoutPlaintext twin: a fresh key pair, its private key wrapped. */
export function dataKeyPair(ctx: OperationContext, input: Input, action: string, withPlaintext: boolean): Record<string, unknown> {
  const key = keyFromInput(ctx, input);
  const spec = requiredEnum(input, 'KeyPairSpec', DATA_KEY_PAIR_SPEC_ENUM);
  if (spec === 'SM2' || spec === 'ECC_NIST_EDWARDS25519') throw new KmsError('UnsupportedOperationException', `The emulator does not support KeyPairSpec ${spec}.`);
  const context = encryptionContextOf(input);
  requireUsage(key, 'ENCRYPT_DECRYPT', action.replace('kms:', ''), true);
  ctx.assertUsable(key);
  ctx.authorize(action, key, {
    encryptionContext: context ?? {},
    grantTokens: grantTokensOf(input),
    conditions: {
      'kms:DataKeyPairSpec': spec,
      // The algorithm that encrypts the private key (see generate-data-key.ts).
      'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT',
    },
  });
  stopIfDryRun(input);
  const pem = generatePrivateKeyPem(spec);
  const privateDer = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  try {
    return {
      PrivateKeyCiphertextBlob: encryptUnder(key, privateDer, context).toString('base64'),
      ...(withPlaintext ? { PrivateKeyPlaintext: privateDer.toString('base64') } : {}),
      PublicKey: publicKeyDer(pem).toString('base64'),
      KeyId: key.arn,
      KeyPairSpec: spec,
      KeyMaterialId: currentKeyMaterialId(key),
    };
  } finally {
    privateDer.fill(0);
  }
}

export const generateDataKeyPair: Handler = (ctx, input) => dataKeyPair(ctx, input, 'kms:GenerateDataKeyPair', true);
