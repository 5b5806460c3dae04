import { evaluateAuthorization } from '../authz';
import { OperationContext } from '../context';
import { KmsError } from '../errors';
import { KeyRecord } from '../state';

/** KMS's words when a new key policy would lock the caller out. */
export const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.';

/**
 * KMS's key policy lockout safety check, run by CreateKey, PutKeyPolicy and ReplicateKey when the request gives a
 * policy: the caller must be allowed `kms:PutKeyPolicy` on the key under the *new* policy, or the request fails
 * with MalformedPolicyDocumentException, unless `BypassPolicyLockoutSafetyCheck` is true.
 *
 * The new policy is judged by the same evaluator as every request (never by a look at the principals): a
 * statement that trusts the account root counts only when the caller's IAM policies allow PutKeyPolicy too, and
 * an explicit deny (strict keys' "deny management to unlisted principals") locks the caller out. The decision is
 * recorded, so `decisions()` explains the refusal. The configured authorizer is not consulted: turning enforcement
 * off does not turn KMS's validation of the policy off.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (BypassPolicyLockoutSafetyCheck)
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
 */
export function assertPolicyKeepsCallerIn(ctx: OperationContext, keyWithNewPolicy: KeyRecord, bypass: boolean): void {
  if (bypass) return;
  // The future request it must allow: an ordinary PutKeyPolicy, without the bypass.
  const request = ctx.authorizationRequest('kms:PutKeyPolicy', keyWithNewPolicy, { conditions: { 'kms:BypassPolicyLockoutSafetyCheck': false } });
  const decision = evaluateAuthorization(request);
  ctx.core.record(ctx.now(), request, decision, `key policy lockout safety check: ${decision.reason}`);
  if (!decision.allowed) throw new KmsError('MalformedPolicyDocumentException', LOCKOUT_MESSAGE);
}
