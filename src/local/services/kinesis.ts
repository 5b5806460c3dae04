import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel } from './types';

/**
 * Kinesis Data Streams server-side encryption: Kinesis calls KMS with the producer's or consumer's credentials
 * through `kinesis.<region>.amazonaws.com`, with the encryption context `aws:kinesis:arn` = the stream ARN —
 * GenerateDataKey to put records, Decrypt to get them. Turning encryption on at creation (StartStreamEncryption)
 * checks the key with the creator's credentials.
 *
 * @see https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html
 * @see https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
 */
export const KINESIS: ServiceModel = {
  title: 'Kinesis',
  service: 'kinesis',
  documentation: 'https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html',
  resourceTypes: ['AWS::Kinesis::Stream'],
  keysOf: resource => (resource.properties.StreamEncryption?.EncryptionType === 'KMS' ? customerKeys(resource, resource.properties.StreamEncryption.KeyId) : []),
  creation: resource => [{ operation: 'GenerateDataKey', as: 'caller', encryptionContext: contextOf(resource), purpose: 'Kinesis checks the key (StartStreamEncryption)' }],
  use: (resource, mode) => {
    const arn = String(resource.attributes.Arn);
    const encryptionContext = contextOf(resource);
    return mode === 'write'
      ? { iam: [{ action: 'kinesis:PutRecord', resource: arn }], kms: [{ operation: 'GenerateDataKey', as: 'caller', encryptionContext, purpose: 'Kinesis encrypts the record (PutRecord)' }] }
      : { iam: [{ action: 'kinesis:GetRecords', resource: arn }], kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'Kinesis decrypts the records (GetRecords)' }] };
  },
};

function contextOf(resource: DeployedResource): Record<string, string> {
  return { 'aws:kinesis:arn': String(resource.attributes.Arn) };
}
