import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { daysInRange, MAX_ROTATION_DAYS, MIN_ROTATION_DAYS, wholeDays } from './validate-props';
import { validationErrorFor } from '../private/errors';

/** Rotation period when none is given. */
const DEFAULT_ROTATION = Duration.days(365);

/**
 * Properties of a {@link GuardedKey}.
 *
 * @example
 * // Strict mode: the ingest role only encrypts, the app only decrypts, and no IAM policy can widen that.
 * const props: GuardedKeyProps = {
 *   aliases: ['data/ingest'],
 *   admins: [operators],
 *   encryptors: [ingestRole],
 *   decryptors: [appRole],
 *   strict: true,
 * };
 * new GuardedKey(this, 'IngestKey', props);
 */
export interface GuardedKeyProps extends GuardedKeyCommonProps {
  /**
   * Principals that encrypt and decrypt with the key: `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncryptFrom`, `kms:ReEncryptTo`,
   * the four data-key actions (`kms:GenerateDataKey`, with and without plaintext, and pairs) and `kms:DescribeKey`,
   * narrowed by `viaServices`, `callerAccounts` and `requiredEncryptionContext`. Principals of other accounts get a statement per account with
   * `kms:CallerAccount`.
   *
   * @default - No user in the key policy.
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Principals that only produce ciphertext: `kms:Encrypt`, `kms:GenerateDataKey`,
   * `kms:GenerateDataKeyWithoutPlaintext`, `kms:ReEncryptTo` and `kms:DescribeKey`, narrowed like `users`.
   *
   * @default - No encrypt-only principal.
   */
  readonly encryptors?: iam.IPrincipal[];

  /**
   * Principals that only recover plaintext: `kms:Decrypt`, `kms:ReEncryptFrom` and `kms:DescribeKey`,
   * narrowed like `users`.
   *
   * @default - No decrypt-only principal.
   */
  readonly decryptors?: iam.IPrincipal[];

  /**
   * Encryption context that every cryptographic request of a user must carry: key -> required value,
   * or `*` for "present, with any value" (`kms:EncryptionContext:<key>`). `kms:DescribeKey` is not narrowed
   * by it, since it has no encryption context.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
   * @default - No encryption context is required.
   */
  readonly requiredEncryptionContext?: { [key: string]: string };

  /**
   * How often KMS rotates the key material (90 to 2560 days). Rotation is always on: there is no way to
   * turn it off. On a multi-Region key it is set on the primary and shared by its replicas.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;
}

/**
 * A symmetric `ENCRYPT_DECRYPT` KMS key whose defaults are the best practice: rotation always on, the
 * account-root statement always present, administrators separated from users, use narrowed by service,
 * account and encryption context, a 30-day deletion window and removal policy RETAIN.
 *
 * It is a `kms.Key`, so every construct that takes an `IKey` takes it; its grant methods keep the same
 * separation and narrowing as its props.
 *
 * @resource AWS::KMS::Key
 *
 * @example
 * const key = new GuardedKey(this, 'CustomerData', {
 *   aliases: ['data/customers'],
 *   admins: [operators],                        // manage, never use
 *   users: [appRole],                           // use, never manage
 *   viaServices: ['s3'],                        // only through S3 in this region
 *   requiredEncryptionContext: { tenant: '*' }, // every request names a tenant
 *   rotationPeriod: Duration.days(180),
 * });
 * const bucket = new s3.Bucket(this, 'Bucket', { encryptionKey: key });
 * bucket.grantRead(analyticsRole);              // decrypt only, with the same narrowing
 */
export class GuardedKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: GuardedKeyProps = {}) {
    super(scope, id, props, symmetricKeyProps(scope, id, props));
    this._addMembers('user', props.users);
    this._addMembers('encryptor', props.encryptors);
    this._addMembers('decryptor', props.decryptors);
  }
}

/**
 * A multi-Region primary guarded key: a `GuardedKey` with `multiRegion` always on. Replicate it into
 * other regions with `GuardedReplicaKey`.
 *
 * @resource AWS::KMS::Key
 *
 * @example
 * // The primary here; a replica in a stack of another region (created with crossRegionReferences: true).
 * const primary = new MultiRegionKey(this, 'DataKey', { aliases: ['app/data'], admins: [operators], users: [appRole], viaServices: ['s3'] });
 * new GuardedReplicaKey(replicaStack, 'DataKeyReplica', { primary, aliases: ['app/data'] });
 */
export class MultiRegionKey extends GuardedKey {
  constructor(scope: Construct, id: string, props: GuardedKeyProps = {}) {
    super(scope, id, { ...props, multiRegion: true });
  }
}

function symmetricKeyProps(scope: Construct, id: string, props: GuardedKeyProps): kms.KeyProps {
  const rotation = props.rotationPeriod ?? DEFAULT_ROTATION;
  const problems = daysInRange('rotationPeriod', wholeDays(rotation), MIN_ROTATION_DAYS, MAX_ROTATION_DAYS);
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));
  return {
    keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    enableKeyRotation: true,
    rotationPeriod: rotation,
  };
}
