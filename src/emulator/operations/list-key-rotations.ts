import { page } from '../input';
import { epochSeconds } from '../metadata';
import { Handler } from './handler';
import { keyFromInput } from './shared';

export const listKeyRotations: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.authorize('kms:ListKeyRotations', key);
  const rotations = key.materials.filter(m => m.rotationType !== undefined);
  const { items, truncated, nextMarker } = page(input, rotations);
  return {
    Rotations: items.map(m => ({ KeyId: key.arn, RotationDate: epochSeconds(m.createdAt), RotationType: m.rotationType })),
    Truncated: truncated,
    NextMarker: nextMarker,
  };
};
