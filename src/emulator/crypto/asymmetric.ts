import {
  constants, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, privateEncrypt, publicDecrypt,
  publicEncrypt, randomBytes, sign, timingSafeEqual, verify,
} from 'crypto';
import { KmsError, withoutMessage } from '../errors';
import { KeySpecName } from '../state';

/** The algorithms each key spec offers, as DescribeKey lists them. */
export const SIGNING_ALGORITHMS: Record<string, string[]> = {
  RSA: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
};
export const RSA_ENCRYPTION_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
export const MAC_ALGORITHM: Record<string, string> = { HMAC_224: 'HMAC_SHA_224', HMAC_256: 'HMAC_SHA_256', HMAC_384: 'HMAC_SHA_384', HMAC_512: 'HMAC_SHA_512' };
const HMAC_KEY_BYTES: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };
const CURVES: Record<string, string> = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1' };

/** The signing algorithms of a spec. */
export function signingAlgorithmsOf(spec: KeySpecName): string[] {
  return spec.startsWith('RSA') ? SIGNING_ALGORITHMS.RSA : SIGNING_ALGORITHMS[spec] ?? [];
}

/** New secret material for a key spec: 32 random bytes, HMAC bytes, or a PKCS#8 PEM private key. */
export function newMaterialSecret(spec: KeySpecName): string {
  if (spec === 'SYMMETRIC_DEFAULT') return randomBytes(32).toString('base64');
  if (spec.startsWith('HMAC')) return randomBytes(HMAC_KEY_BYTES[spec]).toString('base64');
  return generatePrivateKeyPem(spec);
}

/** A PKCS#8 PEM private key for an RSA or ECC spec (also used by GenerateDataKeyPair). */
export function generatePrivateKeyPem(spec: string): string {
  if (spec.startsWith('RSA_')) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
  const curve = CURVES[spec];
  if (!curve) throw new KmsError('ValidationException', `unsupported asymmetric key spec ${spec}`);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The DER SubjectPublicKeyInfo of a private key, as GetPublicKey returns it. */
export function publicKeyDer(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
}

const HASH_OF = (algorithm: string) => `sha${algorithm.slice(-3)}`;
const DIGEST_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };
/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1) for PKCS#1 v1.5 signatures over a caller's digest. */
const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/**
 * Signs as KMS does: RSASSA-PSS (salt = hash length), RSASSA-PKCS1-v1_5 or ECDSA (DER-encoded).
 *
 * Node has no "sign this digest" API, so MessageType DIGEST is supported where it can be built from Node's
 * primitives: PKCS#1 v1.5 (DigestInfo + the private-key operation). DIGEST with PSS or ECDSA is refused with
 * UnsupportedOperationException (a documented difference from KMS).
 */
export function signMessage(privateKeyPem: string, algorithm: string, message: Buffer, messageType: string): Buffer {
  const hash = HASH_OF(algorithm);
  const key = createPrivateKey(privateKeyPem);
  if (messageType === 'DIGEST') return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, algorithm, message));
  if (algorithm.startsWith('ECDSA')) return sign(hash, message, { key, dsaEncoding: 'der' });
  return sign(hash, message, { key, ...rsaPadding(algorithm, hash) });
}

/** Verifies a signature; false (not an error) when it does not match. */
export function verifyMessage(privateKeyPem: string, algorithm: string, message: Buffer, messageType: string, signature: Buffer): boolean {
  const hash = HASH_OF(algorithm);
  const key = createPublicKey(createPrivateKey(privateKeyPem));
  try {
    if (messageType === 'DIGEST') {
      const expected = digestInfo(hash, algorithm, message);
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    if (algorithm.startsWith('ECDSA')) return verify(hash, message, { key, dsaEncoding: 'der' }, signature);
    return verify(hash, message, { key, ...rsaPadding(algorithm, hash) }, signature);
  } catch (err) {
    if (err instanceof KmsError) throw err;
    return false;
  }
}

function rsaPadding(algorithm: string, hash: string): { padding: number; saltLength?: number } {
  return algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_BYTES[hash] }
    : { padding: constants.RSA_PKCS1_PADDING };
}

function digestInfo(hash: string, algorithm: string, digest: Buffer): Buffer {
  if (!algorithm.startsWith('RSASSA_PKCS1')) {
    throw new KmsError('UnsupportedOperationException', `The emulator signs a MessageType DIGEST only with RSASSA_PKCS1_V1_5_* algorithms; use MessageType RAW with ${algorithm}`);
  }
  if (digest.length !== DIGEST_BYTES[hash]) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
  }
  return Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]);
}

/** RSA-OAEP encryption, with KMS's plaintext limits per key size and hash. */
export function rsaEncrypt(privateKeyPem: string, algorithm: string, plaintext: Buffer): Buffer {
  const hash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
  const key = createPublicKey(createPrivateKey(privateKeyPem));
  const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
  const hashBytes = hash === 'sha1' ? 20 : 32;
  const max = modulusBytes - 2 * hashBytes - 2;
  if (plaintext.length > max) {
    throw new KmsError('ValidationException', `Algorithm ${algorithm} and key spec RSA_${modulusBytes * 8} cannot encrypt data larger than ${max} bytes.`);
  }
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
}

/** RSA-OAEP decryption; a wrong key or algorithm is InvalidCiphertextException. */
export function rsaDecrypt(privateKeyPem: string, algorithm: string, ciphertext: Buffer): Buffer {
  const hash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
  try {
    return privateDecrypt({ key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
  } catch {
    throw withoutMessage('InvalidCiphertextException');
  }
}

/** HMAC with the key's secret. */
export function hmac(secret: string, algorithm: string, message: Buffer): Buffer {
  const key = Buffer.from(secret, 'base64');
  try {
    return createHmac(`sha${algorithm.slice(-3)}`, key).update(message).digest();
  } finally {
    key.fill(0);
  }
}

/** Constant-time MAC comparison. */
export function macEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
