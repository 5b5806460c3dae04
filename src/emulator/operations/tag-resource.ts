import { missingMember } from '../errors';
import { MAX_TAGS, optionalTags, tooManyTags } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const tagResource: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const tags = optionalTags(input);
  if (!tags) throw missingMember('Tags');
  ctx.assertSameAccount(key);
  ctx.authorize('kms:TagResource', key, { conditions: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) });
  ctx.assertNotPendingDeletion(key);
  const merged = { ...key.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw tooManyTags();
  key.tags = merged;
  ctx.store.putKey(key);
  return {};
};
