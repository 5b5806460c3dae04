import { DeployedResource } from '../deployment';
import { customerKeys, NamedKey, ServiceKmsCall, ServiceModel, viaServiceOf } from './types';

/** The operations of the grant DynamoDB creates at table creation (from the CloudTrail example of the guide). */
const GRANT_OPERATIONS = ['DescribeKey', 'GenerateDataKey', 'Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'RetireGrant'];

/**
 * DynamoDB encryption at rest with a customer managed key. At table creation DynamoDB, with the creator's
 * credentials through `dynamodb.<region>.amazonaws.com`, calls DescribeKey and CreateGrant (grantee and retiring
 * principal: the regional DynamoDB service principal, constrained to the table's encryption context), then uses the
 * grant to generate the table key. At run time it decrypts the table key with the caller's credentials through
 * DynamoDB. The encryption context is `aws:dynamodb:tableName` and `aws:dynamodb:subscriberId` (the account).
 * `AWS::DynamoDB::Table` names the key in `SSESpecification`; `AWS::DynamoDB::GlobalTable` (TableV2) per replica.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
 */
export const DYNAMODB: ServiceModel = {
  title: 'DynamoDB',
  service: 'dynamodb',
  documentation: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html',
  resourceTypes: ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'],
  keysOf: resource => {
    if (resource.type === 'AWS::DynamoDB::Table') {
      const sse = resource.properties.SSESpecification;
      return sse?.SSEEnabled === true && sse.SSEType === 'KMS' ? customerKeys(resource, sse.KMSMasterKeyId) : [];
    }
    if (resource.properties.SSESpecification?.SSEType !== 'KMS') return [];
    return (resource.properties.Replicas ?? []).flatMap((replica: any) => customerKeys(resource, replica.SSESpecification?.KMSMasterKeyId)
      .map(k => ({ ...k, region: String(replica.Region ?? resource.region) })));
  },
  servicePrincipals: region => [viaServiceOf('dynamodb', region)],
  creation: (resource, key) => {
    const context = contextOf(resource);
    const dynamodb = viaServiceOf('dynamodb', key.region);
    const calls: ServiceKmsCall[] = [
      { operation: 'DescribeKey', as: 'caller', purpose: 'DynamoDB checks the key (CreateTable)' },
      {
        operation: 'CreateGrant',
        as: 'caller',
        purpose: 'DynamoDB creates its grant on the key (CreateTable)',
        grant: {
          grantee: dynamodb,
          retiring: dynamodb,
          operations: GRANT_OPERATIONS,
          constraints: { encryptionContextSubset: context },
          name: `guarded-keys-dynamodb-${tableName(resource)}`,
        },
      },
      { operation: 'GenerateDataKey', as: 'service', servicePrincipal: dynamodb, encryptionContext: context, purpose: 'DynamoDB generates the table key through its grant' },
    ];
    return calls;
  },
  use: (resource, mode, key: NamedKey) => ({
    iam: [{ action: mode === 'read' ? 'dynamodb:GetItem' : 'dynamodb:PutItem', resource: tableArn(resource, key.region) }],
    kms: [{ operation: 'Decrypt', as: 'caller', encryptionContext: contextOf(resource), purpose: `DynamoDB decrypts the table key for the caller (${mode === 'read' ? 'GetItem' : 'PutItem'})` }],
  }),
};

function tableName(resource: DeployedResource): string {
  return String(resource.ref);
}

function tableArn(resource: DeployedResource, region: string): string {
  return String(resource.attributes.Arn).replace(/^(arn:aws:dynamodb:)[^:]+/, `$1${region}`);
}

function contextOf(resource: DeployedResource): Record<string, string> {
  return { 'aws:dynamodb:tableName': tableName(resource), 'aws:dynamodb:subscriberId': resource.account };
}
