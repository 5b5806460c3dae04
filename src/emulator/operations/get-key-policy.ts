import { KmsError } from '../errors';
import { optionalString } from '../input';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** KMS keys have one policy, named `default`. */
export function policyNameOf(input: Record<string, unknown>): string {
  const name = optionalString(input, 'PolicyName', { max: 128, pattern: /^[\w]+$/ }) ?? 'default';
  if (name !== 'default') throw new KmsError('NotFoundException', `Policy ${name} is not found. The only policy name is default.`);
  return name;
}

export const getKeyPolicy: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const policyName = policyNameOf(input);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:GetKeyPolicy', key);
  return { Policy: key.policy, PolicyName: policyName };
};
