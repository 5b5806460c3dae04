import { KmsError } from '../errors';
import { requiredString } from '../input';
import { Handler } from './handler';
import { keyFromInput, stopIfDryRun } from './shared';

export const revokeGrant: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const grantId = requiredString(input, 'GrantId', { max: 128 });
  ctx.authorize('kms:RevokeGrant', key);
  const grant = ctx.store.grants.get(grantId);
  if (!grant || grant.keyArn !== key.arn) throw new KmsError('NotFoundException', `Grant ${grantId} not found for ${key.arn}.`);
  stopIfDryRun(input);
  ctx.store.deleteGrant(grantId);
  return {};
};
