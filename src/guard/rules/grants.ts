import { conditionUndecided, grantsOnlyForAwsResources, UNDECIDED_CONDITION } from '../conditions';
import { actionsOf, coversEveryKey, coversKey, GuardRule, isOwnRootStatement, RuleHit, where } from '../rule';

/** GK11: grants only for AWS resources. */
export const GRANTS_FOR_AWS_RESOURCES: GuardRule = {
  id: 'GK11',
  title: 'kms:CreateGrant is allowed only with kms:GrantIsForAWSResource',
  defaultSeverity: 'error',
  why: 'A grant passes the key on to any principal, outside the key policy; with kms:GrantIsForAWSResource only an AWS service integrated with KMS (EBS, RDS...) can create one for the caller.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource',
  check: stack => {
    const hits: RuleHit[] = [];
    for (const key of stack.keys) {
      for (const s of key.statements ?? []) {
        if (s.effect !== 'Allow' || isOwnRootStatement(s) || !actionsOf(s).has('kms:CreateGrant') || grantsOnlyForAwsResources(s.condition)) continue;
        if (s.principals.every(p => p.kind === 'root' && p.own === 'yes')) continue;
        // A root that may be the stack's own account is left undecided, not taken for a stranger.
        const undecided = s.principals.every(p => p.kind === 'root' && p.own !== 'no') || conditionUndecided(s.condition);
        hits.push({
          logicalId: key.logicalId,
          path: key.path,
          pointer: s.pointer,
          undecided,
          message: `${where(s)} allows kms:CreateGrant without kms:GrantIsForAWSResource: add Bool kms:GrantIsForAWSResource true${conditionUndecided(s.condition) ? UNDECIDED_CONDITION : ''}`,
        });
      }
    }
    for (const policy of stack.iamPolicies) {
      for (const s of policy.statements) {
        if (s.effect !== 'Allow' || !actionsOf(s).has('kms:CreateGrant') || grantsOnlyForAwsResources(s.condition)) continue;
        if (!stack.keys.some(k => coversKey(s, k.logicalId)) && !coversEveryKey(s)) continue;
        const undecided = conditionUndecided(s.condition);
        const message = `${where(s, policy.name)} allows kms:CreateGrant without kms:GrantIsForAWSResource: add Bool kms:GrantIsForAWSResource true${undecided ? UNDECIDED_CONDITION : ''}`;
        hits.push({ logicalId: policy.logicalId, path: policy.path, pointer: s.pointer, undecided, message });
      }
    }
    return hits;
  },
};
