import { DAY_MS } from '../clock';
import { KmsError } from '../errors';
import { optionalInteger } from '../input';
import { epochSeconds } from '../metadata';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** KMS's deletion waiting period bounds, in days. */
export const MIN_PENDING_WINDOW = 7;
export const MAX_PENDING_WINDOW = 30;

export const scheduleKeyDeletion: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const days = optionalInteger(input, 'PendingWindowInDays', MIN_PENDING_WINDOW, MAX_PENDING_WINDOW) ?? MAX_PENDING_WINDOW;
  ctx.assertSameAccount(key);
  ctx.authorize('kms:ScheduleKeyDeletion', key);
  ctx.assertNotPendingDeletion(key);
  if (key.multiRegionKeyType === 'PRIMARY') {
    const replicas = [...ctx.store.keys.values()].filter(k => k.keyId === key.keyId && k.account === key.account && k.multiRegionKeyType === 'REPLICA');
    if (replicas.length) {
      throw new KmsError('KMSInvalidStateException', `${key.arn} is a multi-Region primary key with replicas; delete its replicas first.`);
    }
  }
  key.state = 'PendingDeletion';
  key.deletionDate = ctx.now() + days * DAY_MS;
  key.pendingWindowInDays = days;
  ctx.store.putKey(key);
  return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate), KeyState: key.state, PendingWindowInDays: days };
};
