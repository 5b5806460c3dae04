import { KmsError } from '../errors';
import { optionalString, optionalTags, requiredString } from '../input';
import { keyMetadata } from '../metadata';
import { KeyRecord, keySlot } from '../state';
import { bypassOf, policyFrom } from './create-key';
import { Handler } from './handler';
import { assertPolicyKeepsCallerIn } from './lockout';
import { keyFromInput } from './shared';

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * Creates a replica of a multi-Region primary in another region of the same account: same key id, same key
 * material (every version), its own policy, description, tags and state.
 */
export const replicateKey: Handler = (ctx, input) => {
  const primary = keyFromInput(ctx, input);
  const replicaRegion = requiredString(input, 'ReplicaRegion', { max: 32, pattern: REGION });
  ctx.assertSameAccount(primary);
  if (!primary.multiRegion || primary.multiRegionKeyType !== 'PRIMARY') {
    throw new KmsError('UnsupportedOperationException', `${primary.arn} is not a multi-Region primary key.`);
  }
  if (replicaRegion === primary.region) throw new KmsError('ValidationException', `The replica region must differ from the primary's (${primary.region}).`);
  ctx.authorize('kms:ReplicateKey', primary, { conditions: { 'kms:ReplicaRegion': replicaRegion } });
  ctx.assertUsable(primary);
  if (ctx.store.keys.has(keySlot(primary.account, replicaRegion, primary.keyId))) {
    throw new KmsError('AlreadyExistsException', `${primary.keyId} already has a replica in ${replicaRegion}.`);
  }
  const policy = policyFrom(ctx, input);
  const tags = optionalTags(input) ?? {};
  const replica: KeyRecord = {
    ...primary,
    region: replicaRegion,
    arn: ctx.keyArn(primary.keyId, primary.account, replicaRegion),
    description: optionalString(input, 'Description', { min: 0, max: 8192 }) ?? primary.description,
    state: 'Enabled',
    createdAt: ctx.now(),
    deletionDate: undefined,
    pendingWindowInDays: undefined,
    policy,
    tags,
    rotation: { ...primary.rotation },
    materials: [...primary.materials],
    multiRegionKeyType: 'REPLICA',
  };
  if (input.Policy !== undefined) assertPolicyKeepsCallerIn(ctx, replica, bypassOf(input));
  ctx.store.putKey(replica);
  return {
    ReplicaKeyMetadata: keyMetadata(replica, ctx.store),
    ReplicaPolicy: policy,
    ReplicaTags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  };
};
