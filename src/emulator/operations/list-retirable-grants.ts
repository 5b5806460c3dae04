import { page, requiredString } from '../input';
import { Handler } from './handler';
import { grantListEntry } from './list-grants';

export const listRetirableGrants: Handler = (ctx, input) => {
  const retiring = requiredString(input, 'RetiringPrincipal', { max: 256 });
  ctx.authorize('kms:ListRetirableGrants', undefined);
  const grants = [...ctx.store.grants.values()].filter(g => g.retiringPrincipal === retiring && g.region === ctx.region);
  const { items, truncated, nextMarker } = page(input, grants);
  return { Grants: items.map(grantListEntry), Truncated: truncated, NextMarker: nextMarker };
};
