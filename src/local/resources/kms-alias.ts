import { CreateAliasCommand, DeleteAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { ResourceHandler } from './types';

/**
 * `AWS::KMS::Alias`: a new TargetKeyId moves the alias (UpdateAlias); a new AliasName replaces it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-alias.html
 */
export const kmsAlias: ResourceHandler = {
  replacedBy: ['AliasName'],

  async create(ctx) {
    const { AliasName, TargetKeyId } = ctx.properties;
    await ctx.kms().send(new CreateAliasCommand({ AliasName, TargetKeyId: String(TargetKeyId) }));
    return { ref: AliasName, attributes: {} };
  },

  async update(ctx, previous) {
    if (String(ctx.properties.TargetKeyId) !== String(previous.properties.TargetKeyId)) {
      await ctx.kms().send(new UpdateAliasCommand({ AliasName: previous.ref, TargetKeyId: String(ctx.properties.TargetKeyId) }));
    }
    return { ref: previous.ref, attributes: previous.attributes };
  },

  async delete(ctx, previous) {
    await ctx.kms().send(new DeleteAliasCommand({ AliasName: previous.ref }));
  },
};

/** The key id an alias's TargetKeyId names (a key id or a key ARN). */
export function targetKeyIdOf(targetKeyId: unknown): string {
  const text = String(targetKeyId);
  return /^arn:aws[a-z-]*:kms:/.test(text) ? text.slice(text.indexOf(':key/') + 5) : text;
}
