import { AWS_MANAGED_ALIASES } from '../aws-managed-keys';
import { KEY_ID_RULE, optionalString, page } from '../input';
import { epochSeconds } from '../metadata';
import { Handler } from './handler';

/** One ListAliases entry; a predefined AWS alias not yet bound to a key has no TargetKeyId or dates, as in KMS. */
interface AliasEntry {
  readonly aliasName: string;
  readonly targetKeyId?: string;
  readonly createdAt?: number;
  readonly lastUpdatedAt?: number;
}

export const listAliases: Handler = (ctx, input) => {
  const keyId = optionalString(input, 'KeyId', KEY_ID_RULE);
  const key = keyId === undefined ? undefined : ctx.resolveKey(keyId, { allowAlias: false });
  ctx.authorize('kms:ListAliases', undefined);
  const own: AliasEntry[] = [...ctx.store.aliases.values()]
    .filter(a => a.account === ctx.account && a.region === ctx.region && (!key || a.targetKeyId === key.keyId));
  const names = new Set(own.map(a => a.aliasName));
  const predefined: AliasEntry[] = key ? [] : Object.keys(AWS_MANAGED_ALIASES).filter(n => !names.has(n)).map(aliasName => ({ aliasName }));
  const aliases = [...own, ...predefined].sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  const { items, truncated, nextMarker } = page(input, aliases);
  return {
    Aliases: items.map(a => ({
      AliasName: a.aliasName,
      AliasArn: `arn:aws:kms:${ctx.region}:${ctx.account}:${a.aliasName}`,
      ...(a.targetKeyId ? { TargetKeyId: a.targetKeyId } : {}),
      ...(a.createdAt !== undefined ? { CreationDate: epochSeconds(a.createdAt), LastUpdatedDate: epochSeconds(a.lastUpdatedAt!) } : {}),
    })),
    Truncated: truncated,
    NextMarker: nextMarker,
  };
};
