import { KmsError } from '../errors';
import { requiredString } from '../input';
import { keySlot } from '../state';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** Makes a replica the primary, and the primary a replica (rotation settings follow the primary). */
export const updatePrimaryRegion: Handler = (ctx, input) => {
  const primary = keyFromInput(ctx, input);
  const region = requiredString(input, 'PrimaryRegion', { max: 32 });
  ctx.assertSameAccount(primary);
  if (primary.multiRegionKeyType !== 'PRIMARY') throw new KmsError('UnsupportedOperationException', `${primary.arn} is not a multi-region primary key.`);
  const replica = ctx.store.keys.get(keySlot(primary.account, region, primary.keyId));
  if (!replica) throw new KmsError('NotFoundException', `${primary.keyId} has no replica in ${region}.`);
  ctx.authorize('kms:UpdatePrimaryRegion', primary, { conditions: { 'kms:PrimaryRegion': region } });
  ctx.assertUsable(primary);
  primary.multiRegionKeyType = 'REPLICA';
  replica.multiRegionKeyType = 'PRIMARY';
  ctx.store.putKey(primary);
  ctx.store.putKey(replica);
  return {};
};
