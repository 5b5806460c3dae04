import { KeyObject } from 'crypto';
import type { CurveFnWithCreate } from '@noble/curves/_shortw_utils';

/**
 * ECDSA over a digest the caller computed (KMS's `MessageType: DIGEST`), by @noble/curves: Node's `crypto.sign`
 * always hashes its input. The key stays a Node KeyObject; only its scalar (JWK `d`) and point reach noble.
 *
 * Signatures are DER, as KMS returns them, and not normalized to low S (KMS does not normalize either: an
 * Ethereum-style signer must, and its tests should see a high S now and then). Verify accepts either S.
 * @module
 */
/**
 * noble's curve of each key spec, loaded on first use: their tables cost the emulator's start-up otherwise. Each
 * module is named literally, so a bundler sees and includes it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const CURVES: Record<string, () => CurveFnWithCreate> = {
  ECC_NIST_P256: () => require('@noble/curves/p256').p256,
  ECC_NIST_P384: () => require('@noble/curves/p384').p384,
  ECC_NIST_P521: () => require('@noble/curves/p521').p521,
  ECC_SECG_P256K1: () => require('@noble/curves/secp256k1').secp256k1,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The curve of a key spec, if it is one of KMS's ECDSA curves. */
function curveOf(spec: string): CurveFnWithCreate {
  const curve = CURVES[spec];
  if (!curve) throw new TypeError(`ecdsa-digest: no curve for key spec ${spec}`);
  return curve();
}

/** Signs `digest` with the private key; DER-encoded. */
export function signEcdsaDigest(spec: string, privateKey: KeyObject, digest: Uint8Array): Buffer {
  const scalar = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  try {
    return Buffer.from(curveOf(spec).sign(digest, scalar, { prehash: false, lowS: false }).toDERRawBytes());
  } finally {
    scalar.fill(0);
  }
}

/** Whether a DER signature over `digest` verifies under the public key; false for malformed signatures. */
export function verifyEcdsaDigest(spec: string, publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const { x, y } = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
  try {
    return curveOf(spec).verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}
