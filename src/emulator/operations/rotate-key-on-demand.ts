import { rotateImportedMaterial } from '../byok/multi-region';
import { KmsError } from '../errors';
import { rotate } from '../lifecycle';
import { Handler } from './handler';
import { assertRotatable, keyFromInput } from './shared';

/** KMS allows 10 on-demand rotations per key over its lifetime. */
export const MAX_ON_DEMAND_ROTATIONS = 10;

export const rotateKeyOnDemand: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:RotateKeyOnDemand', key);
  ctx.assertUsable(key);
  assertRotatable(key);
  if (key.materials.filter(m => m.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
    throw new KmsError('LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`);
  }
  if (key.origin === 'EXTERNAL') {
    // Imported keys rotate to material imported beforehand with ImportType NEW_KEY_MATERIAL.
    if (!key.pendingRotation) {
      throw new KmsError('KMSInvalidStateException', `${key.arn} has no key material pending rotation; import new key material with ImportType NEW_KEY_MATERIAL first.`);
    }
    rotateImportedMaterial(ctx.store, key, ctx.now()); // with its replicas, which must have it imported
    return { KeyId: key.arn };
  }
  rotate(ctx.store, key, ctx.now(), 'ON_DEMAND');
  return { KeyId: key.arn };
};
