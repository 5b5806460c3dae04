import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'crypto';
import type * as NobleEd25519 from '@noble/curves/ed25519';

/**
 * ECC_NIST_EDWARDS25519 keys. KMS offers two algorithms (its API reference, Sign `MessageType`):
 * - `ED25519_SHA_512`: pure Ed25519 (RFC 8032) over the message, `MessageType: RAW` only; signed by Node
 *   (OpenSSL);
 * - `ED25519_PH_SHA_512`: HashEdDSA Ed25519ph (RFC 8032 §5.1, FIPS 186-5 §7.8.1), `MessageType: DIGEST` only,
 *   and KMS still applies Ed25519ph's own SHA-512 prehash to the 64-byte digest it is given (the input is hashed
 *   twice); signed by @noble/curves' `ed25519ph`, which does exactly that (Node has no Ed25519ph).
 * The key is a PKCS#8 PEM Node generates, and GetPublicKey returns its SubjectPublicKeyInfo.
 * @module
 */

export function generateEd25519Pem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Pure Ed25519 over `message`. */
export function signEd25519(privateKeyPem: string, message: Buffer): Buffer {
  return sign(null, message, createPrivateKey(privateKeyPem));
}

export function verifyEd25519(privateKeyPem: string, message: Buffer, signature: Buffer): boolean {
  return verify(null, message, createPublicKey(createPrivateKey(privateKeyPem)), signature);
}

/** Ed25519ph over `digest` (which Ed25519ph hashes again with SHA-512, as KMS does). */
export function signEd25519ph(privateKeyPem: string, digest: Buffer): Buffer {
  const seed = Buffer.from(createPrivateKey(privateKeyPem).export({ format: 'jwk' }).d!, 'base64url');
  try {
    return Buffer.from(ed25519ph().sign(digest, seed));
  } finally {
    seed.fill(0);
  }
}

export function verifyEd25519ph(privateKeyPem: string, digest: Buffer, signature: Buffer): boolean {
  const publicKey = Buffer.from(createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'jwk' }).x!, 'base64url');
  try {
    return ed25519ph().verify(signature, digest, publicKey);
  } catch {
    return false;
  }
}

/** @noble/curves' Ed25519ph, loaded on first use (its tables cost the emulator's start-up otherwise). */
function ed25519ph(): typeof NobleEd25519.ed25519ph {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@noble/curves/ed25519') as typeof NobleEd25519).ed25519ph;
}
