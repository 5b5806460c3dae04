import { epochSeconds } from '../metadata';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const getKeyRotationStatus: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.authorize('kms:GetKeyRotationStatus', key);
  ctx.assertNotPendingDeletion(key);
  const onDemand = [...key.materials].reverse().find(m => m.rotationType === 'ON_DEMAND');
  return {
    KeyId: key.arn,
    KeyRotationEnabled: key.rotation.enabled,
    ...(key.rotation.enabled
      ? { RotationPeriodInDays: key.rotation.periodDays, NextRotationDate: epochSeconds(key.rotation.nextRotationDate!) }
      : {}),
    ...(onDemand ? { OnDemandRotationStartDate: epochSeconds(onDemand.createdAt) } : {}),
  };
};
