import { constants, createPrivateKey, createPublicKey, KeyObject, privateEncrypt, publicDecrypt, sign, timingSafeEqual, verify } from 'crypto';
import { KmsError } from '../errors';
import { KeySpecName } from '../state';
import { signEcdsaDigest, verifyEcdsaDigest } from './ecdsa-digest';
import { signEd25519, signEd25519ph, verifyEd25519, verifyEd25519ph } from './ed25519';
import { EXTERNAL_MU_BYTES, signMlDsa, verifyMlDsa } from './ml-dsa';
import { signPssDigest, verifyPssDigest } from './rsa-pss-digest';

/**
 * Sign and Verify as KMS does them, for every signing algorithm and message type:
 *
 * | algorithm | RAW | DIGEST | EXTERNAL_MU | by |
 * | --- | --- | --- | --- | --- |
 * | RSASSA_PKCS1_V1_5_SHA_* | yes | yes | no | OpenSSL (DIGEST: DigestInfo + the private-key operation) |
 * | RSASSA_PSS_SHA_* (salt = hash length) | yes | yes | no | OpenSSL (DIGEST: rsa-pss-digest.ts; its Verify by node-forge) |
 * | ECDSA_SHA_* (DER) | yes | yes | no | OpenSSL; DIGEST by @noble/curves |
 * | ED25519_SHA_512 | yes | no | no | OpenSSL |
 * | ED25519_PH_SHA_512 | no | yes (64 bytes, hashed again) | no | @noble/curves |
 * | ML_DSA_SHAKE_256 | yes | no | yes (64 bytes) | @noble/post-quantum |
 *
 * A message type an algorithm does not take is a ValidationException; a DIGEST or μ of the wrong length is
 * KMS's `Digest is invalid length for algorithm <algorithm>.`
 * @module
 */
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

/** The message types each algorithm family takes (KMS's Sign reference). */
function messageTypesOf(algorithm: string): readonly MessageType[] {
  if (algorithm === 'ED25519_SHA_512') return ['RAW'];
  if (algorithm === 'ED25519_PH_SHA_512') return ['DIGEST'];
  if (algorithm === 'ML_DSA_SHAKE_256') return ['RAW', 'EXTERNAL_MU'];
  return ['RAW', 'DIGEST'];
}

const DIGEST_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };
/** The hash an RSA or ECDSA algorithm names (its last three characters). */
const HASH_OF = (algorithm: string) => `sha${algorithm.slice(-3)}`;
/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1) for PKCS#1 v1.5 signatures over a caller's digest. */
const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/**
 * Refuses a message type the algorithm does not take, and a digest or μ of the wrong length. Runs before
 * authorization, as KMS validates requests first.
 */
export function checkMessage(algorithm: string, messageType: MessageType, message: Buffer): void {
  if (!messageTypesOf(algorithm).includes(messageType)) {
    throw new KmsError('ValidationException', `MessageType ${messageType} is not valid for signing algorithm ${algorithm}. Valid: ${messageTypesOf(algorithm).join(', ')}`);
  }
  const expected = messageType === 'EXTERNAL_MU' ? EXTERNAL_MU_BYTES
    : messageType === 'DIGEST' ? (algorithm.startsWith('ED25519') ? 64 : DIGEST_BYTES[HASH_OF(algorithm)]) : undefined;
  if (expected !== undefined && message.length !== expected) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
  }
}

/** Signs a checked message (see {@link checkMessage}). */
export function signMessage(spec: KeySpecName, privateKeyPem: string, algorithm: string, message: Buffer, messageType: MessageType): Buffer {
  if (algorithm === 'ML_DSA_SHAKE_256') return signMlDsa(privateKeyPem, message, messageType as 'RAW' | 'EXTERNAL_MU');
  if (algorithm === 'ED25519_SHA_512') return signEd25519(privateKeyPem, message);
  if (algorithm === 'ED25519_PH_SHA_512') return signEd25519ph(privateKeyPem, message);
  const hash = HASH_OF(algorithm);
  const key = createPrivateKey(privateKeyPem);
  if (messageType === 'DIGEST') {
    if (algorithm.startsWith('ECDSA')) return signEcdsaDigest(spec, key, message);
    if (algorithm.startsWith('RSASSA_PSS')) return signPssDigest(key, hash, message);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, message));
  }
  if (algorithm.startsWith('ECDSA')) return sign(hash, message, { key, dsaEncoding: 'der' });
  return sign(hash, message, { key, ...rsaPadding(algorithm, hash) });
}

/** Verifies a signature over a checked message; false (not an error) when it does not match. */
export function verifyMessage(
  spec: KeySpecName, privateKeyPem: string, algorithm: string, message: Buffer, messageType: MessageType, signature: Buffer,
): boolean {
  if (algorithm === 'ML_DSA_SHAKE_256') return verifyMlDsa(privateKeyPem, message, messageType as 'RAW' | 'EXTERNAL_MU', signature);
  try {
    if (algorithm === 'ED25519_SHA_512') return verifyEd25519(privateKeyPem, message, signature);
    if (algorithm === 'ED25519_PH_SHA_512') return verifyEd25519ph(privateKeyPem, message, signature);
    const hash = HASH_OF(algorithm);
    const key = createPublicKey(createPrivateKey(privateKeyPem));
    if (messageType === 'DIGEST') {
      if (algorithm.startsWith('ECDSA')) return verifyEcdsaDigest(spec, key, message, signature);
      if (algorithm.startsWith('RSASSA_PSS')) return verifyPssDigest(key, hash, message, signature);
      return verifyPkcs1Digest(key, hash, message, signature);
    }
    if (algorithm.startsWith('ECDSA')) return verify(hash, message, { key, dsaEncoding: 'der' }, signature);
    return verify(hash, message, { key, ...rsaPadding(algorithm, hash) }, signature);
  } catch {
    return false;
  }
}

function verifyPkcs1Digest(key: KeyObject, hash: string, digest: Buffer, signature: Buffer): boolean {
  const expected = digestInfo(hash, digest);
  const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

function rsaPadding(algorithm: string, hash: string): { padding: number; saltLength?: number } {
  return algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_BYTES[hash] }
    : { padding: constants.RSA_PKCS1_PADDING };
}

function digestInfo(hash: string, digest: Buffer): Buffer {
  return Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]);
}
