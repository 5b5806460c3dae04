import { hmac, MAC_ALGORITHM } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { requiredBlob, requiredString } from '../input';
import { KeyRecord } from '../state';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage } from './shared';

/** An HMAC key has exactly one MAC algorithm. */
export function checkMacAlgorithm(key: KeyRecord, algorithm: string): void {
  if (MAC_ALGORITHM[key.keySpec] !== algorithm) {
    throw new KmsError('InvalidKeyUsageException', `${algorithm} is not valid for ${key.keySpec}; use ${MAC_ALGORITHM[key.keySpec]}.`);
  }
}

export const generateMac: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const algorithm = requiredString(input, 'MacAlgorithm');
  requireUsage(key, 'GENERATE_VERIFY_MAC', 'GenerateMac');
  checkMacAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize('kms:GenerateMac', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:MacAlgorithm': algorithm } });
  return { Mac: hmac(key.materials[0].secret, algorithm, message).toString('base64'), MacAlgorithm: algorithm, KeyId: key.arn };
};
