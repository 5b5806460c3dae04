import { KEY_ID_RULE, optionalString, page } from '../input';
import { epochSeconds } from '../metadata';
import { Handler } from './handler';

export const listAliases: Handler = (ctx, input) => {
  const keyId = optionalString(input, 'KeyId', KEY_ID_RULE);
  const key = keyId === undefined ? undefined : ctx.resolveKey(keyId, { allowAlias: false });
  ctx.authorize('kms:ListAliases', undefined);
  const aliases = [...ctx.store.aliases.values()]
    .filter(a => a.account === ctx.account && a.region === ctx.region && (!key || a.targetKeyId === key.keyId))
    .sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  const { items, truncated, nextMarker } = page(input, aliases);
  return {
    Aliases: items.map(a => ({
      AliasName: a.aliasName,
      AliasArn: `arn:aws:kms:${a.region}:${a.account}:${a.aliasName}`,
      TargetKeyId: a.targetKeyId,
      CreationDate: epochSeconds(a.createdAt),
      LastUpdatedDate: epochSeconds(a.lastUpdatedAt),
    })),
    Truncated: truncated,
    NextMarker: nextMarker,
  };
};
