import { createPrivateKey, KeyObject } from 'crypto';
import { KmsError } from '../errors';
import { KeySpecName, WrappingAlgorithmName, WrappingKeySpecName } from '../state';

/**
 * What key material each key spec takes when it is imported (Origin EXTERNAL), as KMS's "Requirements for imported
 * key material" states it, and which wrapping algorithms can carry it:
 *
 * | key spec | material | wrapping |
 * | --- | --- | --- |
 * | SYMMETRIC_DEFAULT | 32 bytes | any |
 * | HMAC_224 / 256 / 384 / 512 | 28–64 / 32–64 / 48–128 / 64–128 bytes | any |
 * | RSA_2048 / 3072 / 4096 | a DER PKCS#8 RSA private key of that modulus | RSA_AES_KEY_WRAP_SHA_* only (too large for RSA-OAEP) |
 * | ECC_NIST_P256 / P384 / P521, ECC_SECG_P256K1 | a DER PKCS#8 EC private key on that curve | any, except P-521 under RSAES_OAEP_* with an RSA_2048 wrapping key |
 *
 * Only the private key is imported: KMS derives the public key from it. Ed25519 and ML-DSA keys are not in KMS's
 * list of importable key specs as the emulator read it, so the emulator refuses them (and SM2, which it has not).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
 * @module
 */

/** Symmetric encryption key material is 256 bits. */
export const SYMMETRIC_MATERIAL_BYTES = 32;

/** The shortest and longest HMAC key material each HMAC spec takes (at least the hash length, at most a block). */
export const HMAC_MATERIAL_BYTES: Readonly<Record<string, readonly [min: number, max: number]>> = {
  HMAC_224: [28, 64], HMAC_256: [32, 64], HMAC_384: [48, 128], HMAC_512: [64, 128],
};

/** The curve OpenSSL names for each ECC spec that takes imported material. */
const CURVE_OF_SPEC: Readonly<Record<string, string>> = {
  ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1',
};

const isRsa = (spec: KeySpecName) => spec.startsWith('RSA_');

/** Whether key material of this spec can be imported. */
export function isImportableSpec(spec: KeySpecName): boolean {
  return spec === 'SYMMETRIC_DEFAULT' || spec in HMAC_MATERIAL_BYTES || isRsa(spec) || spec in CURVE_OF_SPEC;
}

/** CreateKey with Origin EXTERNAL: refuses a spec whose material cannot be imported. */
export function assertImportableSpec(spec: KeySpecName): void {
  if (!isImportableSpec(spec)) {
    throw new KmsError('UnsupportedOperationException', `The emulator does not import key material for KeySpec ${spec}.`);
  }
}

/** GetParametersForImport: refuses a wrapping algorithm (with its wrapping key spec) that cannot carry the key's material. */
export function assertWrappingFits(spec: KeySpecName, algorithm: WrappingAlgorithmName, wrappingKeySpec: WrappingKeySpecName): void {
  const oaepOnly = algorithm.startsWith('RSAES_OAEP');
  if (isRsa(spec) && oaepOnly) {
    throw new KmsError('ValidationException', `RSA private key material must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256. Received: ${algorithm}`);
  }
  if (spec === 'ECC_NIST_P521' && oaepOnly && wrappingKeySpec === 'RSA_2048') {
    throw new KmsError('ValidationException',
      `ECC_NIST_P521 key material cannot be wrapped with ${algorithm} under an RSA_2048 wrapping key; use a larger wrapping key or an RSA_AES_KEY_WRAP_SHA_* algorithm.`);
  }
}

/** Unwrapped material in the form the key keeps it, and the bytes its material id is derived from (wiped by the caller). */
export interface ImportedSecret {
  /** What `KeyMaterial.secret` holds: base64 bytes (symmetric, HMAC) or a PKCS#8 PEM private key (RSA, ECC). */
  readonly secret: string;
  /** The material's canonical bytes: the bytes themselves, or the private key re-encoded as DER PKCS#8. */
  readonly canonical: Buffer;
}

/** Checks unwrapped material against the key's spec; IncorrectKeyMaterialException when it does not fit. */
export function importedSecret(spec: KeySpecName, bytes: Buffer): ImportedSecret {
  if (spec === 'SYMMETRIC_DEFAULT') {
    if (bytes.length !== SYMMETRIC_MATERIAL_BYTES) {
      throw new KmsError('IncorrectKeyMaterialException', `Symmetric key material must be ${SYMMETRIC_MATERIAL_BYTES} bytes. Received: ${bytes.length} bytes.`);
    }
    return { secret: bytes.toString('base64'), canonical: Buffer.from(bytes) };
  }
  const hmacRange = HMAC_MATERIAL_BYTES[spec];
  if (hmacRange) {
    const [min, max] = hmacRange;
    if (bytes.length < min || bytes.length > max) {
      throw new KmsError('IncorrectKeyMaterialException', `${spec} key material must be ${min} to ${max} bytes. Received: ${bytes.length} bytes.`);
    }
    return { secret: bytes.toString('base64'), canonical: Buffer.from(bytes) };
  }
  const key = privateKeyOf(bytes);
  assertKeyFitsSpec(spec, key);
  return {
    secret: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    canonical: key.export({ type: 'pkcs8', format: 'der' }),
  };
}

function privateKeyOf(der: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new KmsError('IncorrectKeyMaterialException', 'Asymmetric key material must be a DER-encoded PKCS#8 private key.');
  }
}

/** The private key's algorithm and size (or curve) must be the key spec's. */
function assertKeyFitsSpec(spec: KeySpecName, key: KeyObject): void {
  const details = key.asymmetricKeyDetails ?? {};
  const received = key.asymmetricKeyType === 'rsa' ? `an RSA key of ${details.modulusLength} bits`
    : key.asymmetricKeyType === 'ec' ? `an EC key on ${details.namedCurve}` : `a key of type ${key.asymmetricKeyType}`;
  const fits = isRsa(spec)
    ? key.asymmetricKeyType === 'rsa' && details.modulusLength === Number(spec.slice('RSA_'.length))
    : key.asymmetricKeyType === 'ec' && details.namedCurve === CURVE_OF_SPEC[spec];
  if (!fits) throw new KmsError('IncorrectKeyMaterialException', `The key material is not a private key of KeySpec ${spec}. Received: ${received}`);
}
