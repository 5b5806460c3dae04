import { Handler } from './handler';
import { keyFromInput } from './shared';

export const listKeyPolicies: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:ListKeyPolicies', key);
  return { PolicyNames: ['default'], Truncated: false };
};
