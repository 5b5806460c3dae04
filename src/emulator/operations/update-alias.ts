import { KmsError } from '../errors';
import { KEY_ID_RULE, requiredString } from '../input';
import { aliasSlot } from '../state';
import { aliasNameOf } from './create-alias';
import { Handler } from './handler';

/** Moves an alias to another key of the same type and usage (KMS refuses a symmetric -> asymmetric move). */
export const updateAlias: Handler = (ctx, input) => {
  const aliasName = aliasNameOf(input);
  const alias = ctx.store.aliases.get(aliasSlot(ctx.account, ctx.region, aliasName));
  if (!alias) throw new KmsError('NotFoundException', `Alias arn:aws:kms:${ctx.region}:${ctx.account}:${aliasName} is not found.`);
  const current = ctx.resolveKey(alias.targetKeyId);
  const target = ctx.resolveKey(requiredString(input, 'TargetKeyId', KEY_ID_RULE), { allowAlias: false });
  ctx.assertSameAccount(target);
  if (current.keyUsage !== target.keyUsage || (current.keySpec === 'SYMMETRIC_DEFAULT') !== (target.keySpec === 'SYMMETRIC_DEFAULT')) {
    throw new KmsError('ValidationException', `Alias ${aliasName} must point to a key with the same key type and usage as ${current.arn}.`);
  }
  ctx.authorize('kms:UpdateAlias', current, { requestAlias: aliasName });
  ctx.authorize('kms:UpdateAlias', target, { requestAlias: aliasName });
  ctx.assertNotPendingDeletion(target);
  alias.targetKeyId = target.keyId;
  alias.lastUpdatedAt = ctx.now();
  ctx.store.putAlias(alias);
  return {};
};
