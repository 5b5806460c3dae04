import {
  constants, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual,
} from 'crypto';
import { KmsError, withoutMessage } from '../errors';
import { KeySpecName } from '../state';
import { generateEd25519Pem } from './ed25519';
import { generateMlDsaPem, isMlDsaPem, isMlDsaSpec, mlDsaPublicKeyDer } from './ml-dsa';

/** The algorithms each key spec offers, as DescribeKey lists them. */
export const SIGNING_ALGORITHMS: Record<string, string[]> = {
  RSA: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
  ECC_NIST_EDWARDS25519: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
  ML_DSA_44: ['ML_DSA_SHAKE_256'],
  ML_DSA_65: ['ML_DSA_SHAKE_256'],
  ML_DSA_87: ['ML_DSA_SHAKE_256'],
};
/** KEY_AGREEMENT keys (NIST curves) offer ECDH only. */
export const KEY_AGREEMENT_ALGORITHMS = ['ECDH'];
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

/** A PKCS#8 PEM private key for an RSA, ECC, Ed25519 or ML-DSA spec (also used by GenerateDataKeyPair). */
export function generatePrivateKeyPem(spec: string): string {
  if (spec === 'ECC_NIST_EDWARDS25519') return generateEd25519Pem();
  if (isMlDsaSpec(spec)) return generateMlDsaPem(spec);
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
  if (isMlDsaPem(privateKeyPem)) return mlDsaPublicKeyDer(privateKeyPem);
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
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
