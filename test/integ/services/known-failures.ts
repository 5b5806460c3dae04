/**
 * The integration scenarios that fail today because of construct defects (issue 10): each is kept as
 * `test.failing(KNOWN_FAILURES.x, ...)`, so the suite stays green while the defect exists and turns red — asking
 * for `test.failing` to become `test` — the day it is fixed. None is deleted; the next issue fixes them.
 */
export const KNOWN_FAILURES = {
  /**
   * `requiredEncryptionContext` refuses keys starting with `aws`, yet the context every service sends is `aws:*`
   * (aws:s3:arn, aws:sqs:arn, aws:logs:arn...): a guarded key cannot be pinned to what a service sends (synth fails).
   */
  requiredServiceContext: 'KNOWN FAILURE GuardedKey requiredEncryptionContext cannot name a service context key (aws:s3:arn)',
  /**
   * A service principal (sns.amazonaws.com delivering to a queue) has no aws:PrincipalArn, so strict mode's
   * `ArnNotLike aws:PrincipalArn` denies match it and no grant or statement can let it in.
   */
  snsToSqsGuardedKey: 'KNOWN FAILURE strict GuardedKey: SNS cannot deliver to a queue encrypted with it (sns.amazonaws.com is denied)',
  /** The same for EventBridge publishing to an encrypted topic (events.amazonaws.com). */
  eventsToSnsStrict: 'KNOWN FAILURE strict GuardedKey: EventBridge cannot publish to a topic encrypted with it (events.amazonaws.com is denied)',
  /**
   * DynamoDB generates the table key as `dynamodb.<region>.amazonaws.com` through the grant it made; strict mode's
   * `ArnNotLike aws:PrincipalArn` denies match the service principal (it has no aws:PrincipalArn), and an explicit
   * deny overrides the grant, so the table cannot be created.
   */
  dynamodbStrict: 'KNOWN FAILURE strict GuardedKey: a DynamoDB table cannot be created with it (DynamoDB\'s grantee is denied)',
  /** The Logs service principal is denied by strict mode's deny statements even when a statement allows it. */
  logsStrict: 'KNOWN FAILURE strict GuardedKey: CloudWatch Logs cannot use it (logs.<region>.amazonaws.com is denied)',
  /** EC2 decrypts the volume's data key as its service principal through its grant, which strict mode's denies override. */
  ebsStrict: 'KNOWN FAILURE strict GuardedKey: an EBS volume encrypted with it cannot be attached (EC2\'s grantee is denied)',
  /** RDS generates the storage key as its service principal through its grant, which strict mode's denies override. */
  rdsStrict: 'KNOWN FAILURE strict GuardedKey: an RDS cluster cannot be created with it (RDS\'s grantee is denied)',
} as const;
