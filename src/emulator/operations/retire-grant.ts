import { KmsError } from '../errors';
import { KEY_ID_RULE, optionalString } from '../input';
import { Handler } from './handler';
import { stopIfDryRun } from './shared';

/**
 * The retiring principal, the grantee when the grant allows RetireGrant, or the key's account may retire a grant
 * (by its token, or by key and grant id).
 */
export const retireGrant: Handler = (ctx, input) => {
  const token = optionalString(input, 'GrantToken', { max: 8192 });
  const keyId = optionalString(input, 'KeyId', KEY_ID_RULE);
  const grantId = optionalString(input, 'GrantId', { max: 128 });
  const grant = token
    ? [...ctx.store.grants.values()].find(g => g.grantToken === token)
    : keyId && grantId ? ctx.store.grants.get(grantId) : undefined;
  if (!token && !(keyId && grantId)) throw new KmsError('ValidationException', 'Either GrantToken, or KeyId and GrantId, must be specified.');
  if (!grant) throw token ? new KmsError('InvalidGrantTokenException', 'The grant token is not valid.') : new KmsError('NotFoundException', `Grant ${grantId} not found.`);
  if (keyId && ctx.resolveKey(keyId, { allowAlias: false }).arn !== grant.keyArn) throw new KmsError('InvalidGrantIdException', 'The grant is not for this key.');
  const caller = ctx.request.caller.arn;
  const allowed = grant.retiringPrincipal === caller || (grant.granteePrincipal === caller && grant.operations.includes('RetireGrant'))
    || caller === `arn:aws:iam::${grant.account}:root`;
  if (!allowed) {
    throw new KmsError('AccessDeniedException', `User: ${caller} is not authorized to perform: kms:RetireGrant on resource: ${grant.keyArn}`);
  }
  stopIfDryRun(input);
  ctx.store.deleteGrant(grant.grantId);
  return {};
};
