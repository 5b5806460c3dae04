import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { classifyActions } from './action-roles';
import { SOURCE_CONDITION_KEYS } from './service-principal-access';
import { KeyPolicyModel } from '../policy/key-policy-model';
import { KMS_ACTIONS } from '../policy/kms-actions';
import { describePrincipal } from '../policy/principal-identity';

/**
 * Condition keys that narrow who the caller is, so that an Allow to `Principal: *` is not an Allow to the world.
 * `kms:ViaService` alone does not (any principal of any account can call through S3), nor does
 * `aws:SecureTransport` (it narrows how, not who).
 */
export const CALLER_NARROWING_KEYS: readonly string[] = [
  'kms:CallerAccount', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalAccount', 'aws:PrincipalArn',
  'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'aws:userid',
];

/**
 * Why a statement that another construct adds to a guarded key's policy would break the guarantees the key's
 * props give, or undefined when it keeps them. Deny statements only take access away and always pass.
 */
export function resourceStatementProblem(statement: iam.PolicyStatement, model: KeyPolicyModel, scope: IConstruct): string | undefined {
  if (statement.effect === iam.Effect.DENY) return undefined;
  if (statement.notPrincipals.length) {
    return 'a key policy statement allows with NotPrincipal, which allows every principal not listed (of every account); name the principals instead';
  }
  const anyPrincipal = statement.principals.some(p => p instanceof iam.AnyPrincipal || p.policyFragment.principalJson.AWS?.includes('*'));
  if (anyPrincipal && !narrowsCaller(statement.conditions)) {
    return `a key policy statement allows Principal "*" without a condition that narrows the caller; add one of ${CALLER_NARROWING_KEYS.join(', ')}`;
  }
  const actions = statement.notActions.length
    ? KMS_ACTIONS.filter(a => !classifyActions(statement.notActions, model.kind).actions.includes(a))
    : statement.actions;
  const classified = classifyActions(actions, model.kind);
  const named = statement.principals.filter(p => !(p instanceof iam.AccountRootPrincipal) && !(p instanceof iam.AnyPrincipal));
  for (const principal of named) {
    const who = describePrincipal(scope, principal);
    if (classified.uses && classified.administers) {
      return `a key policy statement gives ${who} both management and use of the key: administrators manage and never use`;
    }
    const held = model.rolesOf(principal);
    if (classified.uses && held.includes('admin')) {
      return `${who} is in 'admins' and cannot also use the key through a key policy statement: administrators manage and never use`;
    }
    if (classified.administers && held.some(r => r !== 'admin')) {
      return `${who} uses the key and cannot also manage it through a key policy statement: administrators manage and never use`;
    }
  }
  return undefined;
}

function narrowsCaller(conditions: Record<string, Record<string, unknown>> | undefined): boolean {
  const narrowing = new Set(CALLER_NARROWING_KEYS.map(k => k.toLowerCase()));
  return Object.values(conditions ?? {}).some(byKey => Object.keys(byKey).some(key => narrowing.has(key.toLowerCase())));
}

/**
 * In strict mode AWS services calling as themselves are outside the Deny statements (they have no
 * `aws:PrincipalArn`), so a statement that allows a service principal must tie its calls to this account's
 * resources: one without a source condition gets `aws:SourceAccount` of the key's account added (narrowed, never
 * widened), as AWS's confused-deputy guidance says.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function narrowServicePrincipals(statement: iam.PolicyStatement, model: KeyPolicyModel, scope: IConstruct): void {
  if (!model.options.strict || statement.effect === iam.Effect.DENY) return;
  const hasService = statement.principals.some(p => p.policyFragment.principalJson.Service !== undefined);
  if (!hasService) return;
  const keys = Object.values((statement.conditions ?? {}) as Record<string, Record<string, unknown>>).flatMap(Object.keys).map(k => k.toLowerCase());
  if (SOURCE_CONDITION_KEYS.some(k => keys.includes(k.toLowerCase()))) return;
  statement.addCondition('StringEquals', { 'aws:SourceAccount': Stack.of(scope).account });
}
