import { requiredString } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const updateKeyDescription: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const description = requiredString(input, 'Description', { min: 0, max: 8192 });
  ctx.assertSameAccount(key);
  ctx.authorize('kms:UpdateKeyDescription', key);
  ctx.assertNotPendingDeletion(key);
  key.description = description;
  ctx.store.putKey(key);
  return {};
};
