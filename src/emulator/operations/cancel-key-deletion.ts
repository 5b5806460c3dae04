import { KmsError } from '../errors';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** KMS leaves a key whose deletion was cancelled Disabled: enabling it is a separate, deliberate step. */
export const cancelKeyDeletion: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:CancelKeyDeletion', key);
  if (key.state !== 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
  key.state = 'Disabled';
  key.deletionDate = undefined;
  key.pendingWindowInDays = undefined;
  ctx.store.putKey(key);
  return { KeyId: key.arn };
};
