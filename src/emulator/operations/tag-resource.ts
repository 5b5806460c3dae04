import { KmsError } from '../errors';
import { optionalTags } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** KMS allows 50 tags per key. */
export const MAX_TAGS = 50;

export const tagResource: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const tags = optionalTags(input);
  if (!tags) throw new KmsError('ValidationException', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must not be null");
  ctx.assertSameAccount(key);
  ctx.authorize('kms:TagResource', key, { conditions: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) });
  ctx.assertNotPendingDeletion(key);
  const merged = { ...key.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw new KmsError('TagException', `A key can have at most ${MAX_TAGS} tags.`);
  key.tags = merged;
  ctx.store.putKey(key);
  return {};
};
