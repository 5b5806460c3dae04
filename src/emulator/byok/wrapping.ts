import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from 'crypto';
import { KmsError, withoutMessage } from '../errors';
import { WrappingAlgorithmName, WrappingKeySpecName } from '../state';

/**
 * The RSA wrapping keys of GetParametersForImport and the unwrapping of ImportKeyMaterial, with node:crypto:
 *
 * - `RSAES_OAEP_SHA_1` / `RSAES_OAEP_SHA_256`: the key material, RSA-OAEP encrypted (MGF1 with the same hash).
 * - `RSA_AES_KEY_WRAP_SHA_1` / `RSA_AES_KEY_WRAP_SHA_256`: an ephemeral AES-256 key, RSA-OAEP encrypted (one
 *   modulus length), followed by the key material wrapped under it with AES Key Wrap with Padding (RFC 5649,
 *   `id-aes256-wrap-pad`, default IV `A65959A6`): the form `openssl pkeyutl -pkeyopt rsa_oaep_md` plus
 *   `openssl enc -id-aes256-wrap-pad` make.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html
 * @module
 */

export const WRAPPING_ALGORITHMS: readonly WrappingAlgorithmName[] = [
  'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256',
];
export const WRAPPING_KEY_SPECS: readonly WrappingKeySpecName[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

/** A new RSA wrapping key: the public key as DER SubjectPublicKeyInfo (what KMS returns), the private as PEM. */
export function newWrappingKey(spec: WrappingKeySpecName): { publicKeyDer: Buffer; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: Number(spec.slice('RSA_'.length)),
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyDer: publicKey, privateKeyPem: privateKey };
}

/**
 * The key material inside `wrapped`. The caller wipes the result. Anything that does not unwrap is
 * InvalidCiphertextException (empty, as KMS words a ciphertext that does not decrypt).
 */
export function unwrapKeyMaterial(privateKeyPem: string, algorithm: WrappingAlgorithmName, spec: WrappingKeySpecName, wrapped: Buffer): Buffer {
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const rsa = (data: Buffer) => privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  try {
    if (algorithm.startsWith('RSAES_OAEP')) return rsa(wrapped);
    const modulusBytes = Number(spec.slice('RSA_'.length)) / 8;
    if (wrapped.length <= modulusBytes) throw withoutMessage('InvalidCiphertextException');
    const aesKey = rsa(wrapped.subarray(0, modulusBytes));
    try {
      if (aesKey.length !== 32) throw withoutMessage('InvalidCiphertextException');
      const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
      return Buffer.concat([decipher.update(wrapped.subarray(modulusBytes)), decipher.final()]);
    } finally {
      aesKey.fill(0);
    }
  } catch (err) {
    if (err instanceof KmsError) throw err;
    throw withoutMessage('InvalidCiphertextException');
  }
}
