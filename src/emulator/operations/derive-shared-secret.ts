import { deriveSharedSecret as ecdh } from '../crypto/ecdh';
import { KmsError } from '../errors';
import { requiredBlob, requiredEnum } from '../input';
import { KEY_AGREEMENT_ALGORITHM_ENUM } from '../model-enums';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput, requireUsage, stopIfDryRun } from './shared';

/** KMS's PublicKey member: 1 to 8192 bytes of DER SubjectPublicKeyInfo. */
const MAX_PUBLIC_KEY_BYTES = 8192;

/**
 * ECDH between a KEY_AGREEMENT key's private key and the peer's public key; the raw shared secret is returned in
 * plaintext (KMS does too, unless a Nitro enclave's attestation asks for it encrypted: `Recipient` is refused).
 */
export const deriveSharedSecret: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const algorithm = requiredEnum(input, 'KeyAgreementAlgorithm', KEY_AGREEMENT_ALGORITHM_ENUM);
  const publicKey = requiredBlob(input, 'PublicKey', 1, MAX_PUBLIC_KEY_BYTES);
  if (input.Recipient !== undefined && input.Recipient !== null) {
    throw new KmsError('UnsupportedOperationException', 'The emulator has no Nitro Enclaves attestation: Recipient is not supported.');
  }
  requireUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  ctx.assertUsable(key);
  ctx.authorize('kms:DeriveSharedSecret', key, { grantTokens: grantTokensOf(input), conditions: { 'kms:KeyAgreementAlgorithm': algorithm } });
  stopIfDryRun(input);
  const secret = ecdh(key.materials[0].secret, publicKey);
  try {
    return { KeyId: key.arn, SharedSecret: secret.toString('base64'), KeyAgreementAlgorithm: algorithm, KeyOrigin: key.origin };
  } finally {
    secret.fill(0);
  }
};
