import { Handler } from './handler';
import { keyFromInput } from './shared';

export const enableKey: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:EnableKey', key);
  ctx.assertNotPendingDeletion(key);
  key.state = 'Enabled';
  ctx.store.putKey(key);
  return {};
};
