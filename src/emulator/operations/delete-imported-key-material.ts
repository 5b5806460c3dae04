import { currentMaterial, deleteMaterial } from '../byok/material';
import { assertImportable } from '../byok/shared';
import { KmsError } from '../errors';
import { optionalString } from '../input';
import { keyMaterialId } from '../metadata';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/**
 * Deletes imported key material (the current material unless `KeyMaterialId` names another). Deleting the
 * current material leaves the key PendingImport until the same material is imported again.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html
 */
export const deleteImportedKeyMaterial: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const requested = optionalString(input, 'KeyMaterialId', { min: 64, max: 64 });
  ctx.assertSameAccount(key);
  ctx.authorize('kms:DeleteImportedKeyMaterial', key);
  assertImportable(ctx, key);
  const candidates = [...key.materials, ...(key.pendingRotation ? [key.pendingRotation] : [])];
  const material = requested === undefined ? currentMaterial(key) : candidates.find(m => keyMaterialId(m) === requested);
  if (!material) {
    throw requested === undefined
      ? new KmsError('NotFoundException', `${key.arn} has no imported key material.`)
      : new KmsError('NotFoundException', `Key material ${requested} is not found for ${key.arn}.`);
  }
  deleteMaterial(key, material.id);
  ctx.store.putKey(key);
  return { KeyId: key.arn, KeyMaterialId: keyMaterialId(material) };
};
