import { createPrivateKey, createPublicKey, diffieHellman, KeyObject } from 'crypto';
import { KmsError } from '../errors';

/**
 * ECDH for KEY_AGREEMENT keys (DeriveSharedSecret): the raw shared secret, the x-coordinate of the product
 * point (NIST SP 800-56A's Z, what KMS returns), computed by Node (OpenSSL).
 * @module
 */

/** The peer's public key from its DER SubjectPublicKeyInfo; anything else is a ValidationException. */
function peerKey(spki: Buffer): KeyObject {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw new KmsError('ValidationException', 'PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of an elliptic curve public key.');
  }
}

/** Z for the key's private key and the peer's public key, which must be on the key's curve. */
export function deriveSharedSecret(privateKeyPem: string, peerSpki: Buffer): Buffer {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = peerKey(peerSpki);
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== curve) {
    throw new KmsError('ValidationException', `PublicKey is not on the curve of the KMS key (${curve}).`);
  }
  return diffieHellman({ privateKey, publicKey });
}
