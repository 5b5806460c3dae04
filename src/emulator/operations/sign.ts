import { OperationContext } from '../context';
import { signingAlgorithmsOf } from '../crypto/asymmetric';
import { checkMessage, signMessage } from '../crypto/signing';
import { KmsError } from '../errors';
import { Input, optionalEnum, requiredBlob, requiredEnum } from '../input';
import { MESSAGE_TYPE_ENUM, SIGNING_ALGORITHM_ENUM } from '../model-enums';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage, stopIfDryRun } from './shared';

/** The algorithm must be one the key's spec offers (worded as KMS words the MAC case). */
export function checkSigningAlgorithm(key: KeyRecord, algorithm: string): void {
  if (!signingAlgorithmsOf(key.keySpec).includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
}

/** The steps Sign and Verify share: the key, message, algorithm and message type, checked and authorized. */
export function signingRequest(ctx: OperationContext, input: Input, operation: 'Sign' | 'Verify') {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const algorithm = requiredEnum(input, 'SigningAlgorithm', SIGNING_ALGORITHM_ENUM);
  const messageType = optionalEnum(input, 'MessageType', MESSAGE_TYPE_ENUM) ?? 'RAW';
  requireUsage(key, 'SIGN_VERIFY', operation);
  checkSigningAlgorithm(key, algorithm);
  checkMessage(algorithm, messageType, message);
  ctx.assertUsable(key);
  ctx.authorize(`kms:${operation}`, key, { grantTokens: grantTokensOf(input), conditions: { 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': messageType } });
  stopIfDryRun(input);
  return { key, message, algorithm, messageType };
}

export const sign: Handler = (ctx, input) => {
  const { key, message, algorithm, messageType } = signingRequest(ctx, input, 'Sign');
  return { KeyId: key.arn, Signature: signMessage(key.keySpec, key.materials[0].secret, algorithm, message, messageType).toString('base64'), SigningAlgorithm: algorithm };
};
