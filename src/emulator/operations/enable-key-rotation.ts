import { DAY_MS } from '../clock';
import { KmsError } from '../errors';
import { optionalInteger } from '../input';
import { relatedKeys } from '../lifecycle';
import { Handler } from './handler';
import { assertRotatable, keyFromInput } from './shared';

/** KMS's rotation period bounds, in days. */
export const MIN_ROTATION_DAYS = 90;
export const MAX_ROTATION_DAYS = 2560;

/** Rotation is for symmetric keys; a multi-Region key is rotated through its primary. */
export const enableKeyRotation: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const period = optionalInteger(input, 'RotationPeriodInDays', MIN_ROTATION_DAYS, MAX_ROTATION_DAYS) ?? 365;
  ctx.assertSameAccount(key);
  ctx.authorize('kms:EnableKeyRotation', key, { conditions: { 'kms:RotationPeriodInDays': period } });
  ctx.assertUsable(key);
  assertRotatable(key);
  if (key.origin === 'EXTERNAL') throw new KmsError('UnsupportedOperationException', `${key.arn} has imported key material: KMS cannot rotate it automatically; use RotateKeyOnDemand.`);
  for (const record of relatedKeys(ctx.store, key)) {
    record.rotation = { enabled: true, periodDays: period, nextRotationDate: ctx.now() + period * DAY_MS };
    ctx.store.putKey(record);
  }
  return {};
};
