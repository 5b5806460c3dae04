import { page } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const listResourceTags: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:ListResourceTags', key);
  const { items, truncated, nextMarker } = page(input, Object.entries(key.tags).sort(([a], [b]) => a.localeCompare(b)));
  return { Tags: items.map(([TagKey, TagValue]) => ({ TagKey, TagValue })), Truncated: truncated, NextMarker: nextMarker };
};
