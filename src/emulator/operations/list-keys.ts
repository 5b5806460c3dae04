import { page } from '../input';
import { Handler } from './handler';

export const listKeys: Handler = (ctx, input) => {
  ctx.authorize('kms:ListKeys', undefined);
  const keys = [...ctx.store.keys.values()].filter(k => k.account === ctx.account && k.region === ctx.region);
  const { items, truncated, nextMarker } = page(input, keys);
  return { Keys: items.map(k => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: truncated, NextMarker: nextMarker };
};
