import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Properties every guarded key has, whatever its kind.
 *
 * @example
 * // Every guarded key kind takes these: who administers, how use is narrowed, strict mode, deletion.
 * new SigningKey(this, 'ReleaseSigning', {
 *   description: 'signs release artifacts',
 *   aliases: ['release/signing'],
 *   admins: [operators],
 *   strict: true,
 *   pendingWindow: Duration.days(30),
 *   signers: [ingestRole],
 *   verifiers: [appRole],
 * });
 */
export interface GuardedKeyCommonProps {
  /**
   * A description of the key: its purpose and the data it protects.
   *
   * @default - No description.
   */
  readonly description?: string;

  /**
   * Aliases for the key. The `alias/` prefix is added when missing; names under `alias/aws/` are reserved.
   *
   * @default - No alias.
   */
  readonly aliases?: string[];

  /**
   * Principals that manage the key (enable, disable, rotate, tag, alias, schedule deletion) and never use it.
   *
   * They get no `kms:CreateGrant` (a grant would give them use), no `kms:ReEncrypt*`, never `kms:*`,
   * and no `kms:PutKeyPolicy` unless `allowAdminsToChangePolicy` is set.
   *
   * @default - No administrator besides the account root (and the IAM policies the account root statement trusts).
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * AWS services through which the key may be used, as short names (`s3`, `secretsmanager`), rendered as
   * the condition `kms:ViaService` = `<service>.<region>.amazonaws.com` with the region of the stack
   * (a replica renders its own region).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
   * @default - Use is not restricted to a service.
   */
  readonly viaServices?: string[];

  /**
   * Accounts whose principals may use the key (`kms:CallerAccount`).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
   * @default - Use is not restricted to an account by a condition.
   */
  readonly callerAccounts?: string[];

  /**
   * Let users create, list and revoke grants, but only for AWS resources (`kms:GrantIsForAWSResource`),
   * as services such as EBS and RDS need.
   *
   * @default false
   */
  readonly allowGrantsForAwsResources?: boolean;

  /**
   * Strict mode: explicit Deny statements so that, apart from the account root user, only the listed
   * principals can use the key and only the listed admins (and the deployment role) can manage it, even
   * against IAM policies granting `kms:*`. Every principal listed must then be an IAM principal
   * (role, user, ARN or account).
   *
   * @default false
   */
  readonly strict?: boolean;

  /**
   * In strict mode, the identities that deploy the stack and so must keep managing the key.
   *
   * @default - The stack synthesizer's CloudFormation execution role, when it is a `DefaultStackSynthesizer`.
   */
  readonly deployers?: iam.IPrincipal[];

  /**
   * Give admins `kms:PutKeyPolicy`. Off by default: a policy rewrite lets an admin grant themselves use, and
   * the key policy is owned by this stack's deployments.
   *
   * @default false
   */
  readonly allowAdminsToChangePolicy?: boolean;

  /**
   * How long KMS waits before deleting the key after its resource is removed (7 to 30 days).
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the key.
   *
   * @default - No tags.
   */
  readonly tags?: { [key: string]: string };

  /**
   * Create a multi-Region primary key, whose replicas (`GuardedReplicaKey`) share its key material and ID.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default false
   */
  readonly multiRegion?: boolean;
}
