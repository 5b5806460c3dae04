import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel, viaServiceOf } from './types';

/**
 * CloudWatch Logs: the service principal `logs.<region>.amazonaws.com` calls KMS as itself — never with the
 * caller's credentials — with the encryption context `aws:logs:arn` = the log group ARN (without `:*`), which the
 * key policy statement for Logs usually pins with `kms:EncryptionContext:aws:logs:arn`. Logs checks the key when the
 * log group is created with it; a writer or reader needs only the logs permission.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export const LOGS: ServiceModel = {
  title: 'CloudWatch Logs',
  service: 'logs',
  documentation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  resourceTypes: ['AWS::Logs::LogGroup'],
  keysOf: resource => customerKeys(resource, resource.properties.KmsKeyId),
  servicePrincipals: region => [viaServiceOf('logs', region)],
  creation: (resource, key) => [{
    operation: 'GenerateDataKey',
    as: 'service',
    servicePrincipal: viaServiceOf('logs', key.region),
    encryptionContext: contextOf(resource),
    purpose: 'CloudWatch Logs checks it can use the key (CreateLogGroup with kmsKeyId)',
  }],
  use: (resource, mode, key) => {
    const logs = viaServiceOf('logs', key.region);
    const streams = `${logGroupArn(resource)}:log-stream:*`;
    const encryptionContext = contextOf(resource);
    return mode === 'write'
      ? { iam: [{ action: 'logs:PutLogEvents', resource: streams }], kms: [{ operation: 'GenerateDataKey', as: 'service', servicePrincipal: logs, encryptionContext, purpose: 'CloudWatch Logs encrypts the events (PutLogEvents)' }] }
      : { iam: [{ action: 'logs:GetLogEvents', resource: streams }], kms: [{ operation: 'Decrypt', as: 'service', servicePrincipal: logs, encryptionContext, purpose: 'CloudWatch Logs decrypts the events (GetLogEvents)' }] };
  },
};

function logGroupArn(resource: DeployedResource): string {
  return String(resource.attributes.Arn).replace(/:\*$/, '');
}

function contextOf(resource: DeployedResource): Record<string, string> {
  return { 'aws:logs:arn': logGroupArn(resource) };
}
