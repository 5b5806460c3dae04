import { replicaMaterialsOf } from '../byok/multi-region';
import { KmsError } from '../errors';
import { optionalString, optionalTags, requiredString } from '../input';
import { keyMetadata } from '../metadata';
import { KeyRecord, keySlot } from '../state';
import { bypassOf, policyFrom } from './create-key';
import { Handler } from './handler';
import { assertPolicyKeepsCallerIn } from './lockout';
import { keyFromInput } from './shared';

const REGION = /^([a-z]+-){2,3}\d+$/;

/**
 * Creates a replica of a multi-Region primary in another region of the same account: same key id, same key
 * material (every version), its own policy, description, tags and state.
 */
export const replicateKey: Handler = (ctx, input) => {
  const primary = keyFromInput(ctx, input);
  const replicaRegion = requiredString(input, 'ReplicaRegion', { max: 32, pattern: REGION });
  ctx.assertSameAccount(primary);
  if (!primary.multiRegion || primary.multiRegionKeyType !== 'PRIMARY') {
    throw new KmsError('UnsupportedOperationException', `${primary.arn} is not a multi-region primary key.`);
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
    // The description is not shared by multi-Region keys: a replica has its own, empty by default.
    description: optionalString(input, 'Description', { min: 0, max: 8192 }) ?? '',
    state: 'Enabled',
    createdAt: ctx.now(),
    deletionDate: undefined,
    pendingWindowInDays: undefined,
    policy,
    tags,
    rotation: { ...primary.rotation },
    materials: [...primary.materials],
    multiRegionKeyType: 'REPLICA',
    importParameters: undefined,
    // Imported material is not copied: the replica knows its primary's versions by id and awaits their import.
    ...(primary.origin === 'EXTERNAL' ? replicaMaterialsOf(primary) : {}),
  };
  if (input.Policy !== undefined) assertPolicyKeepsCallerIn(ctx, replica, bypassOf(input));
  ctx.store.putKey(replica);
  // KMS answers while the replica is still being made: Creating, not yet enabled, without a current key
  // material, and without ReplicaTags. The emulator finishes it within the request, so the next call sees it
  // Enabled (KMS takes a few seconds), or PendingImport for a key with imported material.
  const { CurrentKeyMaterialId: _current, ...metadata } = keyMetadata(replica, ctx.store);
  return {
    ReplicaKeyMetadata: { ...metadata, Enabled: false, KeyState: 'Creating' },
    ReplicaPolicy: policy,
  };
};
