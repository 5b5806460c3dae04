import { Handler } from './handler';
import { keyFromInput } from './shared';

export const disableKey: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:DisableKey', key);
  ctx.assertNotPendingDeletion(key);
  key.state = 'Disabled';
  ctx.store.putKey(key);
  return {};
};
