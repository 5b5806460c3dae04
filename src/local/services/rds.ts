import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel, viaServiceOf } from './types';

/** What RDS may do with the key through its grant. */
const GRANT_OPERATIONS = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant', 'RetireGrant', 'DescribeKey'];

/**
 * RDS storage encryption: creating an encrypted DB instance or cluster, RDS calls KMS with the creator's credentials
 * through `rds.<region>.amazonaws.com` — DescribeKey and CreateGrant (a grant for an AWS resource) — and then uses the
 * grant for the storage's data keys. Database users reach the data through the engine, so their reads and writes
 * make no KMS request of theirs: RDS decrypts through its grant. The grantee, internal to RDS, is modeled as the RDS
 * service principal.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
 */
export const RDS: ServiceModel = {
  title: 'RDS',
  service: 'rds',
  documentation: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html',
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  // An instance of a cluster is encrypted by the cluster's key (CloudFormation leaves the instance's KmsKeyId unset).
  keysOf: resource => customerKeys(resource, resource.properties.KmsKeyId),
  servicePrincipals: region => [viaServiceOf('rds', region)],
  creation: (resource, key) => {
    const rds = viaServiceOf('rds', key.region);
    return [
      { operation: 'DescribeKey', as: 'caller', purpose: 'RDS checks the key (CreateDBInstance/CreateDBCluster)' },
      {
        operation: 'CreateGrant',
        as: 'caller',
        purpose: 'RDS creates its grant on the key (CreateDBInstance/CreateDBCluster)',
        grant: { grantee: rds, retiring: rds, operations: GRANT_OPERATIONS, name: `guarded-keys-rds-${resource.ref}` },
      },
      { operation: 'GenerateDataKeyWithoutPlaintext', as: 'service', servicePrincipal: rds, purpose: 'RDS generates the storage data key through its grant' },
    ];
  },
  use: (resource, mode, key) => ({
    iam: [resource.type === 'AWS::RDS::DBCluster'
      ? { action: 'rds-data:ExecuteStatement', resource: String(resource.attributes.DBClusterArn) }
      : { action: 'rds-db:connect', resource: dbUserArn(resource) }],
    kms: [{ operation: 'Decrypt', as: 'service', servicePrincipal: viaServiceOf('rds', key.region), purpose: `RDS decrypts the storage key through its grant (a ${mode})` }],
  }),
};

function dbUserArn(resource: DeployedResource): string {
  return `arn:aws:rds-db:${resource.region}:${resource.account}:dbuser:${resource.attributes.DbiResourceId}/app`;
}
