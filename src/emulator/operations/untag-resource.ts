import { missingMember } from '../errors';
import { optionalStringList } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const untagResource: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const keys = optionalStringList(input, 'TagKeys', 50);
  if (!keys) throw missingMember('TagKeys');
  ctx.assertSameAccount(key);
  ctx.authorize('kms:UntagResource', key, { conditions: { 'aws:TagKeys': keys } });
  ctx.assertNotPendingDeletion(key);
  key.tags = Object.fromEntries(Object.entries(key.tags).filter(([k]) => !keys.includes(k)));
  ctx.store.putKey(key);
  return {};
};
