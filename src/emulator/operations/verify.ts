import { verifyMessage } from '../crypto/signing';
import { withoutMessage } from '../errors';
import { requiredBlob } from '../input';
import { Handler } from './handler';
import { signingRequest } from './sign';

/** A signature that does not verify is KMSInvalidSignatureException, as in KMS (never `SignatureValid: false`). */
export const verify: Handler = (ctx, input) => {
  const signature = requiredBlob(input, 'Signature', 1, 6144);
  const { key, message, algorithm, messageType } = signingRequest(ctx, input, 'Verify');
  if (!verifyMessage(key.keySpec, key.materials[0].secret, algorithm, message, messageType, signature)) {
    throw withoutMessage('KMSInvalidSignatureException');
  }
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};
