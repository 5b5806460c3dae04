import { KmsError } from '../errors';
import { optionalEnum, page } from '../input';
import { epochSeconds, keyMaterialId } from '../metadata';
import { INCLUDE_KEY_MATERIAL_ENUM } from '../model-enums';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/**
 * The key's material versions: by default those made by rotations; with `IncludeKeyMaterial: ALL_KEY_MATERIAL`
 * the first one too. The newest is CURRENT (it encrypts), the others NON_CURRENT (they only decrypt).
 */
export const listKeyRotations: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const include = optionalEnum(input, 'IncludeKeyMaterial', INCLUDE_KEY_MATERIAL_ENUM) ?? 'ROTATIONS_ONLY';
  ctx.assertSameAccount(key);
  ctx.authorize('kms:ListKeyRotations', key);
  // Only keys that can rotate have rotations (KMS answers others with an empty UnsupportedOperationException).
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperationException', '');
  const current = key.materials[key.materials.length - 1];
  const all = include === 'ALL_KEY_MATERIAL' ? key.materials : key.materials.filter(m => m.rotationType !== undefined);
  // Imported material staged with ImportType NEW_KEY_MATERIAL is listed as PENDING_ROTATION (what RotateKeyOnDemand will use).
  const materials = key.pendingRotation ? [...all, key.pendingRotation] : all;
  const { items, truncated, nextMarker } = page(input, materials);
  return {
    Rotations: items.map(m => ({
      KeyId: key.keyId,
      KeyMaterialId: keyMaterialId(m),
      KeyMaterialState: m === key.pendingRotation ? 'PENDING_ROTATION' : m === current ? 'CURRENT' : 'NON_CURRENT',
      ...(m.rotationType ? { RotationDate: epochSeconds(m.createdAt), RotationType: m.rotationType } : {}),
      ...(m.importState ? { ImportState: m.importState } : {}),
      ...(m.importState === 'IMPORTED' ? { ExpirationModel: m.expirationModel, ValidTo: m.validTo === undefined ? undefined : epochSeconds(m.validTo) } : {}),
    })),
    Truncated: truncated,
    NextMarker: nextMarker,
  };
};
