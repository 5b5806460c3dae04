import { KmsError } from '../errors';
import { relatedKeys } from '../lifecycle';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const disableKeyRotation: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:DisableKeyRotation', key);
  ctx.assertUsable(key);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperationException', `${key.arn} is not a symmetric key.`);
  if (key.multiRegionKeyType === 'REPLICA') throw new KmsError('UnsupportedOperationException', `${key.arn} is a replica: set rotation on its primary.`);
  for (const record of relatedKeys(ctx.store, key)) {
    record.rotation = { enabled: false, periodDays: record.rotation.periodDays };
    ctx.store.putKey(record);
  }
  return {};
};
