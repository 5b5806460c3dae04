import { callerArns } from './principals';
import { AuthorizationRequest, GrantRecord } from './types';

/** The operation a grant must list for an action (grants name operations, policies name actions). */
function grantOperationFor(action: string): string {
  return action.replace(/^kms:/i, '');
}

/**
 * The grant that allows this request, if any: its grantee is the caller, it lists the operation, and its
 * constraints hold. Constraint keys compare case-insensitively and values case-sensitively, as KMS documents;
 * constraints only apply to operations that carry an encryption context.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
 */
export function allowingGrant(request: AuthorizationRequest): GrantRecord | undefined {
  const operation = grantOperationFor(request.action);
  const arns = callerArns(request.caller);
  return request.grants.find(grant =>
    arns.includes(grant.granteePrincipal)
    && grant.operations.includes(operation)
    && constraintsHold(grant, request.encryptionContext));
}

function constraintsHold(grant: GrantRecord, context: Readonly<Record<string, string>> | undefined): boolean {
  const constraints = grant.constraints;
  if (!constraints || context === undefined) return true;
  const lower = (map: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
  const actual = lower(context);
  if (constraints.encryptionContextEquals) {
    const wanted = lower(constraints.encryptionContextEquals);
    const keys = Object.keys(wanted);
    if (keys.length !== Object.keys(actual).length || keys.some(k => actual[k] !== wanted[k])) return false;
  }
  if (constraints.encryptionContextSubset) {
    const wanted = lower(constraints.encryptionContextSubset);
    if (Object.entries(wanted).some(([k, v]) => actual[k] !== v)) return false;
  }
  return true;
}
