import { customerKeys, ServiceModel } from './types';
import { PolicyDocumentJson } from '../../emulator/authz/types';

/**
 * SQS with SSE-KMS: SQS calls KMS with the producer's or consumer's credentials through `sqs.<region>.amazonaws.com`,
 * with the encryption context `aws:sqs:arn` = the queue ARN. A producer needs GenerateDataKey and Decrypt (SQS
 * checks the data key it reuses), a consumer Decrypt. A service that sends to the queue as itself (SNS, EventBridge)
 * makes those requests as its service principal. Creating the queue calls nothing.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export const SQS: ServiceModel = {
  title: 'SQS',
  service: 'sqs',
  documentation: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
  resourceTypes: ['AWS::SQS::Queue'],
  keysOf: resource => customerKeys(resource, resource.properties.KmsMasterKeyId),
  creation: () => [],
  use: (resource, mode) => {
    const queueArn = String(resource.attributes.Arn);
    const encryptionContext = { 'aws:sqs:arn': queueArn };
    return mode === 'write'
      ? {
        iam: [{ action: 'sqs:SendMessage', resource: queueArn }],
        kms: [
          { operation: 'GenerateDataKey', as: 'caller', encryptionContext, purpose: 'SQS generates the message data key (SendMessage)' },
          { operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'SQS checks the data key it reuses (SendMessage)' },
        ],
      }
      : {
        iam: [{ action: 'sqs:ReceiveMessage', resource: queueArn }],
        kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'SQS decrypts the message data key (ReceiveMessage)' }],
      };
  },
  resourcePolicyOf: (resource, all) => all.find(r => r.type === 'AWS::SQS::QueuePolicy' && (r.properties.Queues ?? []).includes(resource.ref))
    ?.properties.PolicyDocument as PolicyDocumentJson | undefined,
};
