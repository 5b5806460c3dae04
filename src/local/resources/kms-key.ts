import {
  CreateKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, KMSClient, PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand, Tag, TagResourceCommand, UntagResourceCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { ResourceContext, ResourceHandler } from './types';
import { defaultKeyPolicy } from '../../emulator/policy-document';
import { sameJson, StoredResource } from '../stack-state';

/** CloudFormation's default waiting period for a key deleted with its stack. */
export const DEFAULT_PENDING_WINDOW_DAYS = 30;

/**
 * `AWS::KMS::Key`. KeySpec, KeyUsage and MultiRegion replace the key; the policy, description, rotation, state and
 * tags are updated in place through their own operations.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html
 */
export const kmsKey: ResourceHandler = {
  replacedBy: ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],

  async create(ctx) {
    const p = ctx.properties;
    const kms = ctx.kms();
    const created = await kms.send(new CreateKeyCommand({
      Policy: p.KeyPolicy === undefined ? undefined : JSON.stringify(p.KeyPolicy),
      Description: p.Description,
      KeySpec: p.KeySpec,
      KeyUsage: p.KeyUsage,
      MultiRegion: p.MultiRegion,
      Origin: p.Origin,
      BypassPolicyLockoutSafetyCheck: p.BypassPolicyLockoutSafetyCheck,
      Tags: kmsTags(p.Tags),
    }));
    const meta = created.KeyMetadata!;
    if (p.EnableKeyRotation === true) {
      await kms.send(new EnableKeyRotationCommand({ KeyId: meta.KeyId, RotationPeriodInDays: p.RotationPeriodInDays }));
    }
    if (p.Enabled === false) await kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
    return { ref: meta.KeyId!, attributes: { Arn: meta.Arn, KeyId: meta.KeyId } };
  },

  async update(ctx, previous) {
    const p = ctx.properties;
    const o = previous.properties as Record<string, any>;
    const kms = ctx.kms();
    const KeyId = previous.ref;
    if (p.Enabled !== false && o.Enabled === false) await kms.send(new EnableKeyCommand({ KeyId }));
    await updatePolicy(kms, ctx, previous);
    await updateDescription(kms, ctx, previous);
    const rotates = p.EnableKeyRotation === true;
    if (rotates && (o.EnableKeyRotation !== true || p.RotationPeriodInDays !== o.RotationPeriodInDays)) {
      await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: p.RotationPeriodInDays }));
    } else if (!rotates && o.EnableKeyRotation === true) {
      await kms.send(new DisableKeyRotationCommand({ KeyId }));
    }
    await updateTags(kms, ctx, previous);
    if (p.Enabled === false && o.Enabled !== false) await kms.send(new DisableKeyCommand({ KeyId }));
    return { ref: previous.ref, attributes: previous.attributes };
  },

  async delete(ctx, previous) {
    await scheduleDeletion(ctx.kms(), previous);
  },
};

/** PutKeyPolicy when the policy changed; a policy removed from the template becomes KMS's default policy. */
export async function updatePolicy(kms: KMSClient, ctx: ResourceContext, previous: StoredResource): Promise<void> {
  const policy = ctx.properties.KeyPolicy;
  if (sameJson(policy, previous.properties.KeyPolicy)) return;
  await kms.send(new PutKeyPolicyCommand({
    KeyId: previous.ref,
    PolicyName: 'default',
    Policy: policy === undefined ? defaultKeyPolicy(ctx.account) : JSON.stringify(policy),
    BypassPolicyLockoutSafetyCheck: ctx.properties.BypassPolicyLockoutSafetyCheck,
  }));
}

export async function updateDescription(kms: KMSClient, ctx: ResourceContext, previous: StoredResource): Promise<void> {
  if (ctx.properties.Description === previous.properties.Description) return;
  await kms.send(new UpdateKeyDescriptionCommand({ KeyId: previous.ref, Description: ctx.properties.Description ?? '' }));
}

/** Tags removed are untagged, tags added or changed are tagged. */
export async function updateTags(kms: KMSClient, ctx: ResourceContext, previous: StoredResource): Promise<void> {
  const now = tagMap(ctx.properties.Tags);
  const before = tagMap(previous.properties.Tags);
  const removed = Object.keys(before).filter(k => !(k in now));
  const changed = Object.entries(now).filter(([k, v]) => before[k] !== v);
  if (removed.length) await kms.send(new UntagResourceCommand({ KeyId: previous.ref, TagKeys: removed }));
  const Tags = changed.map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  if (Tags.length) await kms.send(new TagResourceCommand({ KeyId: previous.ref, Tags }));
}

/** A deleted key (or replica) waits PendingWindowInDays from the template, 30 by default, as CloudFormation does. */
export async function scheduleDeletion(kms: KMSClient, previous: StoredResource): Promise<void> {
  const window = previous.properties.PendingWindowInDays;
  await kms.send(new ScheduleKeyDeletionCommand({
    KeyId: previous.ref,
    PendingWindowInDays: typeof window === 'number' ? window : DEFAULT_PENDING_WINDOW_DAYS,
  }));
}

export function kmsTags(value: unknown): Tag[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((t: { Key: string; Value: string }) => ({ TagKey: t.Key, TagValue: t.Value }));
}

function tagMap(value: unknown): Record<string, string> {
  return Object.fromEntries((kmsTags(value) ?? []).map(t => [t.TagKey!, t.TagValue!]));
}
