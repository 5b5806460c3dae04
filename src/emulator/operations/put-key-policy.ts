import { optionalBoolean, requiredString } from '../input';
import { validateKeyPolicy } from '../policy-document';
import { policyNameOf } from './get-key-policy';
import { Handler } from './handler';
import { assertPolicyKeepsCallerIn } from './lockout';
import { keyFromInput } from './shared';

export const putKeyPolicy: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  policyNameOf(input);
  const policy = requiredString(input, 'Policy', { max: 131072 });
  const bypass = optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck') ?? false;
  ctx.assertSameAccount(key);
  ctx.authorize('kms:PutKeyPolicy', key, { conditions: { 'kms:BypassPolicyLockoutSafetyCheck': bypass } });
  ctx.assertNotPendingDeletion(key);
  validateKeyPolicy(policy);
  assertPolicyKeepsCallerIn(ctx, { ...key, policy }, bypass);
  key.policy = policy;
  ctx.store.putKey(key);
  return {};
};
