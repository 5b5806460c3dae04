import { randomBytes } from 'crypto';
import type * as NobleMlDsa from '@noble/post-quantum/ml-dsa';
import { DER, fromPem, tlv, toPem } from './der';

/**
 * ML-DSA (FIPS 204) signing keys, KMS's ML_DSA_44/65/87 with the algorithm `ML_DSA_SHAKE_256`, by
 * @noble/post-quantum (Node 20's OpenSSL has no ML-DSA).
 *
 * - `MessageType: RAW`: ML-DSA.Sign with an empty context (the "pure" variant KMS uses).
 * - `MessageType: EXTERNAL_MU`: the caller computed the 64-byte message representative
 *   μ = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || message, 64) (FIPS 204 §6.2, external μ) and the key signs μ
 *   directly (ML-DSA.Sign_internal with μ given), so the signature verifies as a RAW signature over the message.
 *
 * The private key is kept as a PKCS#8 PEM in the seed form of RFC 9881 (`[0] IMPLICIT OCTET STRING`, 32 bytes),
 * which OpenSSL 3.5 reads; the expanded key is derived from the seed for each use and wiped. GetPublicKey returns
 * the SubjectPublicKeyInfo of RFC 9881 (the algorithm OID without parameters, the public key as the BIT STRING).
 * @module
 */
/**
 * noble's ML-DSA as it behaves at run time (post-quantum 0.4.1, src/ml-dsa.ts): its declared `Signer` type says
 * `sign(secretKey, msg, random?)`, but the pure API's third argument is the context and the fourth the hedging
 * randomness, and Sign_internal/Verify_internal take `externalMu` as their fourth.
 */
interface MlDsa {
  internal: {
    sign(secretKey: Uint8Array, mu: Uint8Array, random: Uint8Array, externalMu: true): Uint8Array;
    verify(publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array, externalMu: true): boolean;
  };
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(secretKey: Uint8Array, message: Uint8Array, context: Uint8Array | undefined, random: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
/**
 * The parameter sets, their OIDs and noble's signer of each. @noble/post-quantum is loaded on the first ML-DSA
 * operation, not when the emulator starts: it is a sixth of the bundle, and most runs never make an ML-DSA key.
 */
const PARAMETER_SETS = {
  ML_DSA_44: { signer: 'ml_dsa44', oid: '0609608648016503040311' },
  ML_DSA_65: { signer: 'ml_dsa65', oid: '0609608648016503040312' },
  ML_DSA_87: { signer: 'ml_dsa87', oid: '0609608648016503040313' },
} as const;

function signerOf(spec: MlDsaSpec): MlDsa {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const noble = require('@noble/post-quantum/ml-dsa') as typeof NobleMlDsa;
  return noble[PARAMETER_SETS[spec].signer] as unknown as MlDsa;
}
/** Hedged signing (FIPS 204 §3.4): fresh randomness per signature, as an HSM signs. */
const RANDOM_BYTES = 32;
export type MlDsaSpec = keyof typeof PARAMETER_SETS;

const SEED_BYTES = 32;
/** The length of μ for EXTERNAL_MU. */
export const EXTERNAL_MU_BYTES = 64;

/** Whether a key spec is one of the ML-DSA parameter sets. */
export function isMlDsaSpec(spec: string): spec is MlDsaSpec {
  return Object.prototype.hasOwnProperty.call(PARAMETER_SETS, spec);
}

function privateKeyInfo(spec: MlDsaSpec, seed: Uint8Array): Buffer {
  const algorithm = tlv(DER.SEQUENCE, Buffer.from(PARAMETER_SETS[spec].oid, 'hex'));
  return tlv(DER.SEQUENCE, Buffer.from([DER.INTEGER, 1, 0]), algorithm, tlv(DER.OCTET_STRING, tlv(DER.CONTEXT_0, seed)));
}

/** A new ML-DSA private key: PKCS#8 PEM, seed form. */
export function generateMlDsaPem(spec: MlDsaSpec): string {
  const seed = randomBytes(SEED_BYTES);
  const der = privateKeyInfo(spec, seed);
  try {
    return toPem('PRIVATE KEY', der);
  } finally {
    seed.fill(0);
    der.fill(0);
  }
}

/** The spec and seed of a PEM written by {@link generateMlDsaPem}; undefined for any other key. */
function parse(privateKeyPem: string): { spec: MlDsaSpec; seed: Buffer } | undefined {
  const der = fromPem('PRIVATE KEY', privateKeyPem);
  if (!der) return undefined;
  for (const spec of Object.keys(PARAMETER_SETS) as MlDsaSpec[]) {
    const expected = privateKeyInfo(spec, Buffer.alloc(SEED_BYTES));
    const prefix = expected.length - SEED_BYTES;
    if (der.length === expected.length && der.subarray(0, prefix).equals(expected.subarray(0, prefix))) {
      return { spec, seed: der.subarray(prefix) };
    }
  }
  der.fill(0);
  return undefined;
}

/** The key pair of a PEM (the caller wipes `secretKey` and `seed`). */
function keyPairOf(privateKeyPem: string) {
  const parsed = parse(privateKeyPem);
  if (!parsed) throw new TypeError('ml-dsa: not an ML-DSA private key in the seed form');
  const { secretKey, publicKey } = signerOf(parsed.spec).keygen(parsed.seed);
  return { ...parsed, secretKey, publicKey };
}

/** Whether a private key PEM is an ML-DSA key. */
export function isMlDsaPem(privateKeyPem: string): boolean {
  const parsed = parse(privateKeyPem);
  parsed?.seed.fill(0);
  return parsed !== undefined;
}

/** The DER SubjectPublicKeyInfo of an ML-DSA private key. */
export function mlDsaPublicKeyDer(privateKeyPem: string): Buffer {
  const { spec, seed, secretKey, publicKey } = keyPairOf(privateKeyPem);
  seed.fill(0);
  secretKey.fill(0);
  const algorithm = tlv(DER.SEQUENCE, Buffer.from(PARAMETER_SETS[spec].oid, 'hex'));
  return tlv(DER.SEQUENCE, algorithm, tlv(DER.BIT_STRING, Buffer.from([0]), publicKey));
}

/** Signs a RAW message (pure ML-DSA, empty context) or a 64-byte μ (EXTERNAL_MU). */
export function signMlDsa(privateKeyPem: string, message: Buffer, messageType: 'RAW' | 'EXTERNAL_MU'): Buffer {
  const { spec, seed, secretKey } = keyPairOf(privateKeyPem);
  try {
    const signer = signerOf(spec);
    const random = randomBytes(RANDOM_BYTES);
    const signature = messageType === 'RAW' ? signer.sign(secretKey, message, undefined, random) : signer.internal.sign(secretKey, message, random, true);
    return Buffer.from(signature);
  } finally {
    seed.fill(0);
    secretKey.fill(0);
  }
}

export function verifyMlDsa(privateKeyPem: string, message: Buffer, messageType: 'RAW' | 'EXTERNAL_MU', signature: Buffer): boolean {
  const { spec, seed, secretKey, publicKey } = keyPairOf(privateKeyPem);
  seed.fill(0);
  secretKey.fill(0);
  const signer = signerOf(spec);
  try {
    return messageType === 'RAW' ? signer.verify(publicKey, message, signature) : signer.internal.verify(publicKey, message, signature, true);
  } catch {
    return false;
  }
}
