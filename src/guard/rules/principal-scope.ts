import { conditionUndecided, narrowsCaller, UNDECIDED_CONDITION } from '../conditions';
import { GuardRule, RuleHit, where } from '../rule';

/** GK4: `Principal: *` in an Allow only with a condition that narrows who calls. */
export const WILDCARD_PRINCIPAL: GuardRule = {
  id: 'GK4',
  title: 'No Allow to Principal "*" without a condition that narrows the caller',
  defaultSeverity: 'error',
  why: 'Principal "*" is every AWS account. aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, kms:CallerAccount, aws:SourceAccount and aws:SourceArn narrow it; kms:ViaService alone (any account can call through S3) and aws:SecureTransport do not.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements',
  check: stack => stack.keys.flatMap(key => (key.statements ?? [])
    .filter(s => s.effect === 'Allow' && !s.notPrincipal && s.principals.some(p => p.kind === 'everyone') && !narrowsCaller(s.condition))
    .map((s): RuleHit => ({
      logicalId: key.logicalId,
      path: key.path,
      pointer: s.pointer,
      undecided: conditionUndecided(s.condition),
      message: `${where(s)} allows Principal "*" without a condition that narrows the caller (aws:PrincipalOrgID, aws:PrincipalAccount, kms:CallerAccount, aws:SourceAccount or aws:SourceArn)${conditionUndecided(s.condition) ? UNDECIDED_CONDITION : ''}`,
    }))),
};

/** GK8: no Allow with NotPrincipal. */
export const ALLOW_NOT_PRINCIPAL: GuardRule = {
  id: 'GK8',
  title: 'No Allow statement with NotPrincipal',
  defaultSeverity: 'error',
  why: 'Allow with NotPrincipal allows everyone (every account, anonymous callers) except the principals named; AWS advises against it.',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
  check: stack => stack.keys.flatMap(key => (key.statements ?? [])
    .filter(s => s.effect === 'Allow' && s.notPrincipal)
    .map((s): RuleHit => ({
      logicalId: key.logicalId,
      path: key.path,
      pointer: s.pointer,
      message: `${where(s)} is an Allow with NotPrincipal, which allows everyone except the principals it names: name the principals in Principal instead`,
    }))),
};
