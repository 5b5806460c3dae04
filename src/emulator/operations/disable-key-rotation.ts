import { relatedKeys } from '../lifecycle';
import { Handler } from './handler';
import { assertRotatable, keyFromInput } from './shared';

export const disableKeyRotation: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:DisableKeyRotation', key);
  ctx.assertUsable(key);
  assertRotatable(key);
  for (const record of relatedKeys(ctx.store, key)) {
    record.rotation = { enabled: false, periodDays: record.rotation.periodDays };
    ctx.store.putKey(record);
  }
  return {};
};
