import { keyMetadata } from '../metadata';
import { Handler } from './handler';
import { grantTokensOf, keyFromInput } from './shared';

export const describeKey: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.authorize('kms:DescribeKey', key, { grantTokens: grantTokensOf(input) });
  return { KeyMetadata: keyMetadata(key, ctx.store) };
};
