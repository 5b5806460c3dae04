import { epochSeconds } from '../metadata';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const getKeyRotationStatus: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.authorize('kms:GetKeyRotationStatus', key);
  ctx.assertNotPendingDeletion(key);
  return {
    KeyId: key.arn,
    KeyRotationEnabled: key.rotation.enabled,
    ...(key.rotation.enabled
      ? { RotationPeriodInDays: key.rotation.periodDays, NextRotationDate: epochSeconds(key.rotation.nextRotationDate!) }
      : {}),
    // OnDemandRotationStartDate is shown only while an on-demand rotation is in progress; the emulator completes
    // one within the request, so it never is.
  };
};
