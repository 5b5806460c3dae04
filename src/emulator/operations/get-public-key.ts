import { KEY_AGREEMENT_ALGORITHMS, publicKeyDer, RSA_ENCRYPTION_ALGORITHMS, signingAlgorithmsOf } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput } from './shared';

export const getPublicKey: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  if (key.keySpec === 'SYMMETRIC_DEFAULT' || key.keySpec.startsWith('HMAC')) {
    throw new KmsError('UnsupportedOperationException', `${key.arn} is not an asymmetric key.`);
  }
  ctx.assertUsable(key);
  ctx.authorize('kms:GetPublicKey', key, { grantTokens: grantTokensOf(input) });
  return {
    KeyId: key.arn,
    PublicKey: publicKeyDer(key.materials[0].secret).toString('base64'),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...algorithmsOf(key),
  };
};

/** The algorithms field GetPublicKey returns for the key's usage. */
function algorithmsOf(key: KeyRecord): Record<string, string[]> {
  if (key.keyUsage === 'ENCRYPT_DECRYPT') return { EncryptionAlgorithms: RSA_ENCRYPTION_ALGORITHMS };
  if (key.keyUsage === 'KEY_AGREEMENT') return { KeyAgreementAlgorithms: KEY_AGREEMENT_ALGORITHMS };
  return { SigningAlgorithms: signingAlgorithmsOf(key.keySpec) };
}
