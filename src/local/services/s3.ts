import { PolicyDocumentJson } from '../../emulator/authz/types';
import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel, ServiceUse, UseMode } from './types';

/** The object a check reads or writes. */
const CHECK_OBJECT = 'guarded-keys-check';

/**
 * S3 with SSE-KMS: S3 calls KMS with the requester's credentials (`kms:ViaService` = `s3.<region>.amazonaws.com`)
 * when an object is written (GenerateDataKey) or read (Decrypt), with the encryption context
 * `aws:s3:arn` = the object's ARN — or the bucket's ARN when S3 Bucket Keys are on, since S3 then asks KMS for a
 * bucket-level key. Creating the bucket calls nothing: S3 does not check the key until the first object.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-s3.html
 */
export const S3: ServiceModel = {
  title: 'S3',
  service: 's3',
  documentation: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
  resourceTypes: ['AWS::S3::Bucket'],
  // PutObject's x-amz-server-side-encryption-context adds the writer's own pairs to aws:s3:arn.
  acceptsCallerContext: true,
  keysOf: resource => customerKeys(resource, ...rules(resource)
    .filter(r => /^aws:kms/.test(String(r.ServerSideEncryptionByDefault?.SSEAlgorithm)))
    .map(r => r.ServerSideEncryptionByDefault?.KMSMasterKeyID)),
  creation: () => [],
  use: (resource: DeployedResource, mode: UseMode): ServiceUse => {
    const bucketArn = String(resource.attributes.Arn);
    const objectArn = `${bucketArn}/${CHECK_OBJECT}`;
    const bucketKey = rules(resource).some(r => r.BucketKeyEnabled === true);
    const encryptionContext = { 'aws:s3:arn': bucketKey ? bucketArn : objectArn };
    return mode === 'write'
      ? { iam: [{ action: 's3:PutObject', resource: objectArn }], kms: [{ operation: 'GenerateDataKey', as: 'caller', encryptionContext, purpose: 'S3 generates the object\'s data key (PutObject)' }] }
      : { iam: [{ action: 's3:GetObject', resource: objectArn }], kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'S3 decrypts the object\'s data key (GetObject)' }] };
  },
  resourcePolicyOf: (resource, all) => all.find(r => r.type === 'AWS::S3::BucketPolicy' && r.properties.Bucket === resource.ref)?.properties.PolicyDocument as PolicyDocumentJson | undefined,
};

function rules(resource: DeployedResource): any[] {
  return resource.properties.BucketEncryption?.ServerSideEncryptionConfiguration ?? [];
}
