/**
 * How an AWS service calls KMS, as data: the requests it makes when a resource is created, and those it makes
 * when a principal reads or writes the resource. One {@link ServiceModel} per service (s3.ts, sqs.ts, ...), each
 * citing the AWS page it follows.
 * @module
 */
import { PolicyDocumentJson } from '../../emulator/authz/types';
import { DeployedResource } from '../deployment';

/** What a principal does with a resource. */
export type UseMode = 'read' | 'write';

/** The KMS operations services make on a customer managed key. */
export type ServiceKmsOperation = 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'Decrypt' | 'Encrypt' | 'DescribeKey' | 'CreateGrant';

/** A grant a service creates for itself (DynamoDB, EBS, RDS, Lambda). */
export interface ServiceGrant {
  readonly grantee: string;
  readonly retiring?: string;
  readonly operations: string[];
  readonly constraints?: { readonly encryptionContextSubset?: Record<string, string>; readonly encryptionContextEquals?: Record<string, string> };
  /** A stable name, so that a second deployment finds the grant instead of adding one. */
  readonly name: string;
}

/** One KMS request a service makes. */
export interface ServiceKmsCall {
  readonly operation: ServiceKmsOperation;
  /**
   * Who sends it: `caller` — the principal's own credentials, through the service (`kms:ViaService`
   * = `<service>.<region>.amazonaws.com`); `service` — the service principal as itself (CloudWatch Logs; or the
   * grantee of a grant the service made), with `aws:SourceArn`/`aws:SourceAccount`.
   */
  readonly as: 'caller' | 'service';
  /** The service principal for `as: 'service'` (e.g. `logs.eu-west-1.amazonaws.com`). */
  readonly servicePrincipal?: string;
  readonly encryptionContext?: Record<string, string>;
  /** For CreateGrant. */
  readonly grant?: ServiceGrant;
  /** What the service does with it, for messages ("S3 generates the object's data key"). */
  readonly purpose: string;
}

/** A key a resource names, and the region the service calls KMS in. */
export interface NamedKey {
  /** As the template names it: key id, key ARN, alias name or alias ARN. */
  readonly keyId: string;
  readonly region: string;
}

/** What reading or writing a resource takes: IAM on the resource, and the KMS requests the service makes. */
export interface ServiceUse {
  /** IAM actions the principal needs, each on the resource ARN beside it. */
  readonly iam: ReadonlyArray<{ readonly action: string; readonly resource: string }>;
  readonly kms: ServiceKmsCall[];
}

/** One AWS service, as far as KMS sees it. */
export interface ServiceModel {
  /** How people name it: `S3`, `DynamoDB`. */
  readonly title: string;
  /** The `kms:ViaService` prefix: `s3` for `s3.<region>.amazonaws.com`. */
  readonly service: string;
  /** The AWS page the model follows. */
  readonly documentation: string;
  readonly resourceTypes: readonly string[];
  /**
   * The caller may add encryption context of its own to the service's (S3's `x-amz-server-side-encryption-context`).
   * @default false
   */
  readonly acceptsCallerContext?: boolean;
  /** The customer managed keys the resource names (none when it uses an AWS owned or managed key). */
  keysOf(resource: DeployedResource): NamedKey[];
  /** The requests the service makes while CloudFormation creates the resource (as the deploying role). */
  creation(resource: DeployedResource, key: NamedKey): ServiceKmsCall[];
  /** What a read or a write of the resource takes. */
  use(resource: DeployedResource, mode: UseMode, key: NamedKey): ServiceUse;
  /** Service principals that call KMS as themselves for this service, in a region. */
  servicePrincipals?(region: string): string[];
  /** The resource policy (bucket, queue or topic policy) that applies to the resource, if the template has one. */
  resourcePolicyOf?(resource: DeployedResource, all: readonly DeployedResource[]): PolicyDocumentJson | undefined;
}

/** `kms:ViaService` of a service in a region. */
export function viaServiceOf(service: string, region: string): string {
  return `${service}.${region}.amazonaws.com`;
}

/** A string property, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The keys a list of `KmsKeyId`-like properties names, in the resource's region; AWS managed keys are skipped. */
export function customerKeys(resource: DeployedResource, ...values: unknown[]): NamedKey[] {
  return values.map(text).filter((k): k is string => k !== undefined && !/alias\/aws\//.test(k))
    .map(keyId => ({ keyId, region: resource.region }));
}
