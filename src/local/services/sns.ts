import { customerKeys, ServiceModel } from './types';
import { PolicyDocumentJson } from '../../emulator/authz/types';

/**
 * SNS with SSE: SNS calls KMS with the publisher's credentials through `sns.<region>.amazonaws.com` (GenerateDataKey
 * and Decrypt), with the encryption context `aws:sns:topicArn` = the topic ARN. An AWS service that publishes as
 * itself (CloudWatch alarms, EventBridge) makes those requests as its service principal, which the key policy must
 * name. SNS decrypts before delivery, so subscribers call nothing; reading is subscribing. Creating the topic calls
 * nothing.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
 */
export const SNS: ServiceModel = {
  title: 'SNS',
  service: 'sns',
  documentation: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
  resourceTypes: ['AWS::SNS::Topic'],
  keysOf: resource => customerKeys(resource, resource.properties.KmsMasterKeyId),
  creation: () => [],
  use: (resource, mode) => {
    const topicArn = String(resource.ref);
    const encryptionContext = { 'aws:sns:topicArn': topicArn };
    return mode === 'write'
      ? {
        iam: [{ action: 'sns:Publish', resource: topicArn }],
        kms: [
          { operation: 'GenerateDataKey', as: 'caller', encryptionContext, purpose: 'SNS generates the message data key (Publish)' },
          { operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'SNS decrypts the message for delivery (Publish)' },
        ],
      }
      : { iam: [{ action: 'sns:Subscribe', resource: topicArn }], kms: [] };
  },
  resourcePolicyOf: (resource, all) => all.find(r => r.type === 'AWS::SNS::TopicPolicy' && (r.properties.Topics ?? []).includes(resource.ref))
    ?.properties.PolicyDocument as PolicyDocumentJson | undefined,
};
