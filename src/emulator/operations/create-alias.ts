import { KmsError } from '../errors';
import { Input, KEY_ID_RULE, requiredString } from '../input';
import { aliasSlot } from '../state';
import { Handler } from './handler';

const ALIAS_NAME = /^[a-zA-Z0-9:/_-]+$/;

/** KMS's alias name rules: `alias/` prefix, allowed characters, 256 characters, `alias/aws/` reserved. */
export function aliasNameOf(input: Input, field = 'AliasName'): string {
  const name = requiredString(input, field, { min: 1, max: 256, pattern: ALIAS_NAME });
  if (!name.startsWith('alias/')) {
    throw new KmsError('ValidationException', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (name.startsWith('alias/aws/')) throw new KmsError('InvalidAliasNameException', `Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${name}`);
  return name;
}

export const createAlias: Handler = (ctx, input) => {
  const aliasName = aliasNameOf(input);
  const key = ctx.resolveKey(requiredString(input, 'TargetKeyId', KEY_ID_RULE), { allowAlias: false });
  ctx.assertSameAccount(key);
  ctx.authorize('kms:CreateAlias', key, { requestAlias: aliasName });
  ctx.assertNotPendingDeletion(key);
  if (ctx.store.aliases.has(aliasSlot(ctx.account, ctx.region, aliasName))) {
    throw new KmsError('AlreadyExistsException', `An alias with the name arn:aws:kms:${ctx.region}:${ctx.account}:${aliasName} already exists`);
  }
  const now = ctx.now();
  ctx.store.putAlias({ aliasName, account: ctx.account, region: ctx.region, targetKeyId: key.keyId, createdAt: now, lastUpdatedAt: now });
  return {};
};
