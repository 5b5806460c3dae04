import { GuardRule, keyHit, RuleHit } from '../rule';

/**
 * GK17: keys are made from a `KeyPattern` the platform team approved (configured with `approvedPatterns`). A key
 * says which pattern made it in its `cdk-guarded-keys:pattern` metadata (`src/guard/pattern-marker.ts`); a `CfnKey`
 * written by hand, a plain `kms.Key`, a guarded key made without a pattern, or another library's key has none.
 */
export const APPROVED_PATTERN: GuardRule = {
  id: 'GK17',
  title: 'Keys are made from a KeyPattern listed in approvedPatterns',
  defaultSeverity: 'error',
  why: 'A platform team publishes key patterns (administrators, narrowing, rotation, tags) and reviews them once; a key made outside them has had none of that review, whatever the other rules say.',
  source: 'https://docs.aws.amazon.com/prescriptive-guidance/latest/encryption-best-practices/kms.html',
  check: (stack, config) => config.approvedPatterns.length === 0 ? [] : stack.keys.flatMap((key): RuleHit[] => {
    const approved = config.approvedPatterns.join(', ');
    const what = key.type === 'AWS::KMS::ReplicaKey' ? 'replica' : 'key';
    if (key.pattern === undefined) {
      return [keyHit(key, `the ${what} was not made from a KeyPattern (a CfnKey written by hand, a plain kms.Key or another library's key): make it with an approved pattern (${approved})`)];
    }
    return config.approvedPatterns.includes(key.pattern) ? []
      : [keyHit(key, `the ${what} was made from pattern '${key.pattern}', which is not approved (approved: ${approved})`, `/Resources/${key.logicalId}/Metadata`)];
  }),
};
