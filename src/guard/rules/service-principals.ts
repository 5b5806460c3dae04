import { conditionUndecided, hasSourceCondition, UNDECIDED_CONDITION } from '../conditions';
import { GuardRule, RuleHit, where } from '../rule';

/** GK10: a service principal acts only for resources of the account. */
export const SERVICE_SOURCE: GuardRule = {
  id: 'GK10',
  title: 'Statements for AWS service principals carry aws:SourceArn or aws:SourceAccount',
  defaultSeverity: 'error',
  why: "Without a source condition, the service can be made to use the key on behalf of another account's resource (the confused-deputy problem).",
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
  check: stack => stack.keys.flatMap(key => (key.statements ?? [])
    .filter(s => s.effect === 'Allow' && !s.notPrincipal && !hasSourceCondition(s.condition))
    .flatMap(s => s.principals.filter(p => p.kind === 'service').map((p): RuleHit => ({
      logicalId: key.logicalId,
      path: key.path,
      pointer: s.pointer,
      undecided: conditionUndecided(s.condition),
      message: `${where(s)} allows the service ${p.kind === 'service' ? p.service : ''} without aws:SourceArn or aws:SourceAccount: tie it to this account's resources${conditionUndecided(s.condition) ? UNDECIDED_CONDITION : ''}`,
    })))),
};
