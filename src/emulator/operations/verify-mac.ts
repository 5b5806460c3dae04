import { hmac, macEquals } from '../crypto/asymmetric';
import { KmsError } from '../errors';
import { requiredBlob, requiredString } from '../input';
import { checkMacAlgorithm } from './generate-mac';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage } from './shared';

/** A MAC that does not match is KMSInvalidMacException, compared in constant time. */
export const verifyMac: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const mac = requiredBlob(input, 'Mac', 1, 6144);
  const algorithm = requiredString(input, 'MacAlgorithm');
  requireUsage(key, 'GENERATE_VERIFY_MAC', 'VerifyMac');
  checkMacAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize('kms:VerifyMac', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:MacAlgorithm': algorithm } });
  if (!macEquals(hmac(key.materials[0].secret, algorithm, message), mac)) throw new KmsError('KMSInvalidMacException', 'The MAC verification failed.');
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
};
