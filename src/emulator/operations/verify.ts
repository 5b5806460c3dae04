import { verifyMessage } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { optionalEnum, requiredBlob, requiredString } from '../input';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage } from './shared';
import { checkSigningAlgorithm, MESSAGE_TYPES } from './sign';

/** A signature that does not verify is KMSInvalidSignatureException, as in KMS (never `SignatureValid: false`). */
export const verify: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const signature = requiredBlob(input, 'Signature', 1, 6144);
  const algorithm = requiredString(input, 'SigningAlgorithm');
  const messageType = optionalEnum(input, 'MessageType', MESSAGE_TYPES) ?? 'RAW';
  requireUsage(key, 'SIGN_VERIFY', 'Verify');
  checkSigningAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize('kms:Verify', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': messageType } });
  if (!verifyMessage(key.materials[0].secret, algorithm, message, messageType, signature)) {
    throw new KmsError('KMSInvalidSignatureException', 'The signature verification failed.');
  }
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};
