import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel, viaServiceOf } from './types';

/**
 * Lambda environment variables under a customer managed key: creating or updating the function, Lambda calls KMS
 * with the caller's credentials through `lambda.<region>.amazonaws.com` — CreateGrant (for the Lambda service to
 * decrypt at invocation) and Encrypt of the variables, with the encryption context `aws:lambda:FunctionArn`. Reading
 * the configuration in plaintext decrypts with the reader's credentials.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
 */
export const LAMBDA: ServiceModel = {
  title: 'Lambda',
  service: 'lambda',
  documentation: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html',
  resourceTypes: ['AWS::Lambda::Function'],
  keysOf: resource => customerKeys(resource, resource.properties.KmsKeyArn),
  servicePrincipals: region => [viaServiceOf('lambda', region)],
  creation: (resource, key) => {
    const lambda = viaServiceOf('lambda', key.region);
    return [
      {
        operation: 'CreateGrant',
        as: 'caller',
        purpose: 'Lambda creates a grant to decrypt the environment at invocation (CreateFunction)',
        grant: { grantee: lambda, retiring: lambda, operations: ['Decrypt'], constraints: { encryptionContextEquals: contextOf(resource) }, name: `guarded-keys-lambda-${resource.ref}` },
      },
      { operation: 'Encrypt', as: 'caller', encryptionContext: contextOf(resource), purpose: 'Lambda encrypts the environment variables (CreateFunction)' },
    ];
  },
  use: (resource, mode) => {
    const encryptionContext = contextOf(resource);
    const arn = String(resource.attributes.Arn);
    return mode === 'write'
      ? { iam: [{ action: 'lambda:UpdateFunctionConfiguration', resource: arn }], kms: [{ operation: 'Encrypt', as: 'caller', encryptionContext, purpose: 'Lambda encrypts the new environment (UpdateFunctionConfiguration)' }] }
      : { iam: [{ action: 'lambda:GetFunctionConfiguration', resource: arn }], kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext, purpose: 'Lambda decrypts the environment for the reader (GetFunctionConfiguration)' }] };
  },
};

function contextOf(resource: DeployedResource): Record<string, string> {
  return { 'aws:lambda:FunctionArn': String(resource.attributes.Arn) };
}
