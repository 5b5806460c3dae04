import { hmac, macEquals } from '../crypto/asymmetric';
import { withoutMessage } from '../errors';
import { requiredBlob } from '../input';
import { checkMacAlgorithm, macAlgorithmOf } from './generate-mac';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, MAX_PLAINTEXT_BYTES, requireUsage, stopIfDryRun } from './shared';

/** A MAC that does not match is KMSInvalidMacException, compared in constant time. */
export const verifyMac: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const message = requiredBlob(input, 'Message', 1, MAX_PLAINTEXT_BYTES);
  const mac = requiredBlob(input, 'Mac', 1, 6144);
  const algorithm = macAlgorithmOf(input);
  requireUsage(key, 'GENERATE_VERIFY_MAC', 'VerifyMac');
  checkMacAlgorithm(key, algorithm);
  ctx.assertUsable(key);
  ctx.authorize('kms:VerifyMac', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:MacAlgorithm': algorithm } });
  stopIfDryRun(input);
  if (!macEquals(hmac(key.materials[0].secret, algorithm, message), mac)) throw withoutMessage('KMSInvalidMacException');
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
};
