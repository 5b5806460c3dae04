import { hmac, MAC_ALGORITHM } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { Input, requiredBlob, requiredEnum } from '../input';
import { MAC_ALGORITHM_ENUM } from '../model-enums';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage, stopIfDryRun } from './shared';

/** An HMAC key has exactly one MAC algorithm (KMS's wording). */
export function checkMacAlgorithm(key: KeyRecord, algorithm: string): void {
  if (MAC_ALGORITHM[key.keySpec] !== algorithm) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
}

/** `MacAlgorithm`, checked against KMS's enum before the key is looked at. */
export function macAlgorithmOf(input: Input): string {
  return requiredEnum(input, 'MacAlgorithm', MAC_ALGORITHM_ENUM);
}

export const generateMac: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const algorithm = macAlgorithmOf(input);
  requireUsage(key, 'GENERATE_VERIFY_MAC', 'GenerateMac');
  checkMacAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize('kms:GenerateMac', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:MacAlgorithm': algorithm } });
  stopIfDryRun(input);
  return { Mac: hmac(key.materials[0].secret, algorithm, message).toString('base64'), MacAlgorithm: algorithm, KeyId: key.arn };
};
