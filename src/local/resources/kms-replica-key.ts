import { DisableKeyCommand, EnableKeyCommand, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { kmsTags, scheduleDeletion, updateDescription, updatePolicy, updateTags } from './kms-key';
import { ResourceHandler } from './types';

/**
 * `AWS::KMS::ReplicaKey`: ReplicateKey sent to the primary's region by the replica stack's execution role (the
 * caller KMS authorizes for `kms:ReplicateKey` on the primary, and whose lockout check the replica policy must
 * pass). A new PrimaryKeyArn replaces the replica.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-replicakey.html
 */
export const kmsReplicaKey: ResourceHandler = {
  replacedBy: ['PrimaryKeyArn'],

  async create(ctx) {
    const p = ctx.properties;
    const primaryArn = String(p.PrimaryKeyArn);
    const primaryRegion = /^arn:aws[a-z-]*:kms:([^:]+):/.exec(primaryArn)?.[1];
    if (!primaryRegion) throw new Error(`${ctx.stackName}/${ctx.logicalId}: PrimaryKeyArn ${primaryArn} is not a key ARN`);
    const replicated = await ctx.kms(primaryRegion).send(new ReplicateKeyCommand({
      KeyId: primaryArn,
      ReplicaRegion: ctx.region,
      Policy: JSON.stringify(p.KeyPolicy),
      Description: p.Description,
      BypassPolicyLockoutSafetyCheck: p.BypassPolicyLockoutSafetyCheck,
      Tags: kmsTags(p.Tags),
    }));
    const meta = replicated.ReplicaKeyMetadata!;
    if (p.Enabled === false) await ctx.kms().send(new DisableKeyCommand({ KeyId: meta.KeyId }));
    return { ref: meta.KeyId!, attributes: { Arn: meta.Arn, KeyId: meta.KeyId } };
  },

  async update(ctx, previous) {
    const kms = ctx.kms();
    const enabled = ctx.properties.Enabled !== false;
    const wasEnabled = previous.properties.Enabled !== false;
    if (enabled && !wasEnabled) await kms.send(new EnableKeyCommand({ KeyId: previous.ref }));
    await updatePolicy(kms, ctx, previous);
    await updateDescription(kms, ctx, previous);
    await updateTags(kms, ctx, previous);
    if (!enabled && wasEnabled) await kms.send(new DisableKeyCommand({ KeyId: previous.ref }));
    return { ref: previous.ref, attributes: previous.attributes };
  },

  async delete(ctx, previous) {
    await scheduleDeletion(ctx.kms(), previous);
  },
};
