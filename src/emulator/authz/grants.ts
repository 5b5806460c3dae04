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
    && constraintsHold(grant, request.encryptionContext)
    && (request.newGrant === undefined || isWithin(request.newGrant, grant)));
}

/**
 * A grant that allows CreateGrant lets its grantee create grants no wider than itself, as KMS documents for the
 * CreateGrant grant operation: the new grant's operations a subset of its own, and its constraints at least as
 * strict. Otherwise a grant for CreateGrant alone would let its
 * grantee give itself Decrypt, and a constrained grant would mint an unconstrained one.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations
 */
function isWithin(child: NonNullable<AuthorizationRequest['newGrant']>, parent: GrantRecord): boolean {
  if (!child.operations.every(op => parent.operations.includes(op))) return false;
  const parentEquals = parent.constraints?.encryptionContextEquals;
  const parentSubset = parent.constraints?.encryptionContextSubset;
  const childEquals = child.constraints?.encryptionContextEquals;
  const childSubset = child.constraints?.encryptionContextSubset;
  if (parentEquals) {
    // Only the exact same context is as strict: a subset constraint, or another context, allows what the parent does not.
    if (!childEquals || !sameContext(childEquals, parentEquals) || childSubset) return false;
  }
  if (parentSubset) {
    // Every context the child allows must contain the parent's pairs.
    const required = childEquals ?? childSubset;
    if (!required || !containsPairs(required, parentSubset)) return false;
    if (childEquals && childSubset && !containsPairs(childSubset, parentSubset)) return false;
  }
  return true;
}

function sameContext(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.keys(a).length === Object.keys(b).length && containsPairs(a, b);
}

/** Whether `context` has every pair of `pairs` (keys case-insensitive, values case-sensitive). */
function containsPairs(context: Readonly<Record<string, string>>, pairs: Readonly<Record<string, string>>): boolean {
  const actual = lowerKeys(context);
  return Object.entries(lowerKeys(pairs)).every(([k, v]) => actual[k] === v);
}

function lowerKeys(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
}

function constraintsHold(grant: GrantRecord, context: Readonly<Record<string, string>> | undefined): boolean {
  const constraints = grant.constraints;
  if (!constraints || context === undefined) return true;
  if (constraints.encryptionContextEquals && !sameContext(context, constraints.encryptionContextEquals)) return false;
  if (constraints.encryptionContextSubset && !containsPairs(context, constraints.encryptionContextSubset)) return false;
  return true;
}
