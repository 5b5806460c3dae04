import { DeployedResource } from '../deployment';
import { customerKeys, ServiceModel, viaServiceOf } from './types';

/** What EC2 may do with the key through the grant it creates for a volume. */
const GRANT_OPERATIONS = ['Decrypt', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant', 'DescribeKey'];

/**
 * EBS: creating an encrypted volume, EC2 calls KMS with the creator's credentials through `ec2.<region>.amazonaws.com`:
 * DescribeKey, GenerateDataKeyWithoutPlaintext (the volume's data key, encryption context `aws:ebs:id` = the
 * volume id) and CreateGrant (so that EC2 can decrypt the data key when the volume is attached; the grant is for an
 * AWS resource). Attaching the volume creates a grant for the instance with the attacher's credentials, and EC2
 * decrypts the volume's data key through it. EC2's internal grantee is modeled as the EC2 service principal.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html
 */
export const EBS: ServiceModel = {
  title: 'EBS',
  service: 'ec2',
  documentation: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html',
  resourceTypes: ['AWS::EC2::Volume'],
  keysOf: resource => (resource.properties.Encrypted === true ? customerKeys(resource, resource.properties.KmsKeyId) : []),
  servicePrincipals: region => [viaServiceOf('ec2', region)],
  creation: (resource, key) => {
    const ec2 = viaServiceOf('ec2', key.region);
    const encryptionContext = contextOf(resource);
    return [
      { operation: 'DescribeKey', as: 'caller', purpose: 'EC2 checks the key (CreateVolume)' },
      { operation: 'GenerateDataKeyWithoutPlaintext', as: 'caller', encryptionContext, purpose: 'EC2 generates the volume\'s data key (CreateVolume)' },
      {
        operation: 'CreateGrant',
        as: 'caller',
        purpose: 'EC2 creates a grant to decrypt the volume\'s data key (CreateVolume)',
        grant: { grantee: ec2, retiring: ec2, operations: GRANT_OPERATIONS, constraints: { encryptionContextSubset: encryptionContext }, name: `guarded-keys-ebs-${resource.ref}` },
      },
    ];
  },
  use: (resource, mode, key) => {
    const ec2 = viaServiceOf('ec2', key.region);
    const encryptionContext = contextOf(resource);
    return {
      iam: [{ action: 'ec2:AttachVolume', resource: String(resource.attributes.Arn) }],
      kms: [
        {
          operation: 'CreateGrant',
          as: 'caller',
          purpose: `EC2 creates a grant for the instance (AttachVolume, to ${mode})`,
          grant: { grantee: ec2, retiring: ec2, operations: ['Decrypt'], constraints: { encryptionContextSubset: encryptionContext }, name: `guarded-keys-ebs-attach-${resource.ref}` },
        },
        { operation: 'Decrypt', as: 'service', servicePrincipal: ec2, encryptionContext, purpose: 'EC2 decrypts the volume\'s data key through its grant (AttachVolume)' },
      ],
    };
  },
};

function contextOf(resource: DeployedResource): Record<string, string> {
  return { 'aws:ebs:id': String(resource.ref) };
}
