import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'crypto';
import {
  AlgorithmSpec, GetParametersForImportCommand, ImportKeyMaterialCommand, ImportKeyMaterialCommandInput, KMSClient, WrappingKeySpec,
} from '@aws-sdk/client-kms';

/**
 * Wraps key material as a BYOK user does, with node:crypto alone (never the emulator's code): RSA-OAEP, or
 * RSA-OAEP of an ephemeral AES key followed by AES key wrap with padding (RFC 5649).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html
 */
export function wrap(publicKeyDer: Uint8Array, algorithm: AlgorithmSpec, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaep = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256' }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material);
  const aesKey = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}

/** How {@link importMaterial} wraps and imports. */
export interface ImportOptions {
  readonly algorithm?: AlgorithmSpec;
  readonly wrappingKeySpec?: WrappingKeySpec;
  readonly extra?: Partial<ImportKeyMaterialCommandInput>;
}

/**
 * GetParametersForImport, {@link wrap} and ImportKeyMaterial, as a BYOK user runs them (RSA_AES_KEY_WRAP_SHA_256 under
 * an RSA_2048 wrapping key, material that does not expire, unless told otherwise).
 */
export async function importMaterial(kms: KMSClient, keyId: string, material: Buffer, options: ImportOptions = {}) {
  const { algorithm = 'RSA_AES_KEY_WRAP_SHA_256', wrappingKeySpec = 'RSA_2048', extra = {} } = options;
  const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingKeySpec }));
  return kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial: wrap(params.PublicKey!, algorithm, material),
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    ...extra,
  }));
}
