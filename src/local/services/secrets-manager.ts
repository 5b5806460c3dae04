import { customerKeys, ServiceModel } from './types';

/** The version a check writes or reads (Secrets Manager's context names the version too). */
const CHECK_VERSION = '00000000-0000-4000-8000-000000000000';

/**
 * Secrets Manager: each secret value is encrypted under its own data key, which Secrets Manager asks KMS for with
 * the caller's credentials through `secretsmanager.<region>.amazonaws.com`, with the encryption context
 * `SecretARN` and `SecretVersionId`. Creating a secret with a value (SecretString or GenerateSecretString) is such
 * a write, made by the deploying role; GetSecretValue decrypts.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-secrets-manager.html
 */
export const SECRETS_MANAGER: ServiceModel = {
  title: 'Secrets Manager',
  service: 'secretsmanager',
  documentation: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html',
  resourceTypes: ['AWS::SecretsManager::Secret'],
  keysOf: resource => customerKeys(resource, resource.properties.KmsKeyId),
  creation: resource => {
    // A secret created without a value (neither property) has no version, so nothing is encrypted yet.
    const hasValue = resource.properties.SecretString !== undefined || resource.properties.GenerateSecretString !== undefined;
    return hasValue
      ? [{ operation: 'GenerateDataKey', as: 'caller', encryptionContext: contextOf(String(resource.ref)), purpose: 'Secrets Manager encrypts the first secret value (CreateSecret)' }]
      : [];
  },
  use: (resource, mode) => {
    const arn = String(resource.ref);
    return mode === 'write'
      ? { iam: [{ action: 'secretsmanager:PutSecretValue', resource: arn }], kms: [{ operation: 'GenerateDataKey', as: 'caller', encryptionContext: contextOf(arn), purpose: 'Secrets Manager encrypts the new value (PutSecretValue)' }] }
      : { iam: [{ action: 'secretsmanager:GetSecretValue', resource: arn }], kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext: contextOf(arn), purpose: 'Secrets Manager decrypts the value (GetSecretValue)' }] };
  },
};

function contextOf(secretArn: string): Record<string, string> {
  return { SecretARN: secretArn, SecretVersionId: CHECK_VERSION };
}
