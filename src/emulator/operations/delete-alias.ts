import { KmsError } from '../errors';
import { aliasSlot } from '../state';
import { aliasNameOf } from './create-alias';
import { Handler } from './handler';

export const deleteAlias: Handler = (ctx, input) => {
  const aliasName = aliasNameOf(input);
  const alias = ctx.store.aliases.get(aliasSlot(ctx.account, ctx.region, aliasName));
  if (!alias) throw new KmsError('NotFoundException', `Alias arn:aws:kms:${ctx.region}:${ctx.account}:${aliasName} is not found.`);
  ctx.authorize('kms:DeleteAlias', ctx.resolveKey(alias.targetKeyId), { requestAlias: aliasName });
  ctx.store.deleteAlias(alias);
  return {};
};
