import { OperationContext } from '../context';
import { signingAlgorithmsOf, signMessage } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { Input, optionalEnum, requiredBlob, requiredString } from '../input';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage } from './shared';

export const MESSAGE_TYPES = ['RAW', 'DIGEST'] as const;

/** The algorithm must be one the key's spec offers. */
export function checkSigningAlgorithm(key: KeyRecord, algorithm: string): void {
  if (!signingAlgorithmsOf(key.keySpec).includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `${algorithm} is not a valid signing algorithm for ${key.keySpec}.`);
  }
}

/** The steps Sign and Verify share: the key, message, algorithm and message type, checked and authorized. */
export function signingRequest(ctx: OperationContext, input: Input, operation: 'Sign' | 'Verify') {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const algorithm = requiredString(input, 'SigningAlgorithm');
  const messageType = optionalEnum(input, 'MessageType', MESSAGE_TYPES) ?? 'RAW';
  requireUsage(key, 'SIGN_VERIFY', operation);
  checkSigningAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize(`kms:${operation}`, key, { grantTokens: grantTokensOf(input), conditions: { 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': messageType } });
  return { key, message, algorithm, messageType };
}

export const sign: Handler = (ctx, input) => {
  const { key, message, algorithm, messageType } = signingRequest(ctx, input, 'Sign');
  return { KeyId: key.arn, Signature: signMessage(key.materials[0].secret, algorithm, message, messageType).toString('base64'), SigningAlgorithm: algorithm };
};
