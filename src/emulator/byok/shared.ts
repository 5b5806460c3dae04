import { OperationContext } from '../context';
import { KmsError } from '../errors';
import { KeyRecord } from '../state';

/** The model's sets, for the enum messages; the emulator refuses RSAES_PKCS1_V1_5 (as KMS now does) and SM2. */
export const ALGORITHM_SPEC_ENUM = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] as const;
export const WRAPPING_KEY_SPEC_ENUM = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
export const EXPIRATION_MODEL_ENUM = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const;
export const IMPORT_TYPE_ENUM = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;

/** The import operations need a key created with Origin EXTERNAL, of the caller's account, not pending deletion. */
export function assertImportable(ctx: OperationContext, key: KeyRecord): void {
  if (key.origin !== 'EXTERNAL') {
    throw new KmsError('UnsupportedOperationException', `${key.arn} has Origin ${key.origin}; key material can be imported only into a key created with Origin EXTERNAL.`);
  }
  ctx.assertNotPendingDeletion(key);
}
