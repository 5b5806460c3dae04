import { createHash } from 'crypto';

/** The physical id and attributes CloudFormation returns for a resource. */
export interface PhysicalValues {
  readonly ref: unknown;
  readonly attributes: Record<string, unknown>;
}

type Namer = (name: string, arn: (resource: string, service?: string) => string, properties: Record<string, any>) => PhysicalValues;

/**
 * The physical ids and ARNs of the resources whose services call KMS, shaped as AWS shapes them, so that the
 * ARNs a template builds by hand (`arn:aws:s3:::name`), the ones it takes from `Fn::GetAtt` and the encryption
 * context a service sends all agree.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html (each type's Return values)
 */
const SHAPES: Record<string, { nameProperty?: string; lowercase?: boolean; make: Namer }> = {
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    lowercase: true,
    make: name => ({ ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } }),
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    make: (name, arn) => {
      const queueArn = arn(name, 'sqs');
      const [, , , region, account] = queueArn.split(':');
      const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      return { ref: url, attributes: { Arn: queueArn, QueueName: name, QueueUrl: url } };
    },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    make: (name, arn) => ({ ref: arn(name, 'sns'), attributes: { TopicArn: arn(name, 'sns'), TopicName: name } }),
  },
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', make: (name, arn) => table(name, arn) },
  'AWS::DynamoDB::GlobalTable': { nameProperty: 'TableName', make: (name, arn) => table(name, arn) },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    make: (name, arn) => {
      const secretArn = arn(`secret:${name}-${suffix(name).slice(0, 6)}`, 'secretsmanager');
      return { ref: secretArn, attributes: { Id: secretArn } };
    },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    make: (name, arn) => ({ ref: name, attributes: { Arn: `${arn(`log-group:${name}`, 'logs')}:*` } }),
  },
  'AWS::EC2::Volume': {
    make: (name, arn) => {
      const id = `vol-${suffix(name).slice(0, 17).toLowerCase()}`;
      return { ref: id, attributes: { VolumeId: id, Arn: arn(`volume/${id}`, 'ec2') } };
    },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    make: (name, arn) => ({ ref: name, attributes: { Arn: arn(`function:${name}`, 'lambda') } }),
  },
  'AWS::RDS::DBInstance': {
    nameProperty: 'DBInstanceIdentifier',
    lowercase: true,
    make: (name, arn) => ({
      ref: name,
      attributes: { 'DBInstanceArn': arn(`db:${name}`, 'rds'), 'Endpoint.Address': `${name}.local.rds.amazonaws.com`, 'Endpoint.Port': '5432', 'DbiResourceId': `db-${suffix(name).slice(0, 26)}` },
    }),
  },
  'AWS::RDS::DBCluster': {
    nameProperty: 'DBClusterIdentifier',
    lowercase: true,
    make: (name, arn) => ({
      ref: name,
      attributes: {
        'DBClusterArn': arn(`cluster:${name}`, 'rds'),
        'Endpoint.Address': `${name}.cluster.local.rds.amazonaws.com`,
        'Endpoint.Port': '5432',
        'ReadEndpoint.Address': `${name}.cluster-ro.local.rds.amazonaws.com`,
        'DBClusterResourceId': `cluster-${suffix(name).slice(0, 26)}`,
      },
    }),
  },
  'AWS::Kinesis::Stream': {
    nameProperty: 'Name',
    make: (name, arn) => ({ ref: name, attributes: { Arn: arn(`stream/${name}`, 'kinesis') } }),
  },
};

/** Resource types whose physical values are shaped here. */
export const SHAPED_TYPES: readonly string[] = Object.keys(SHAPES);

/**
 * Physical values for a resource of a service that calls KMS, or undefined for other types. Unknown attributes
 * still resolve (to a value derived from the ARN), as the deployment's placeholders do.
 */
export function servicePhysical(
  type: string, generatedName: string, properties: Record<string, any>, account: string, region: string,
): PhysicalValues | undefined {
  const shape = SHAPES[type];
  if (!shape) return undefined;
  const given = shape.nameProperty ? properties[shape.nameProperty] : undefined;
  const name = typeof given === 'string' ? given : shape.lowercase ? generatedName.toLowerCase() : generatedName;
  const arn = (resource: string, service = type.split('::')[1].toLowerCase()) => `arn:aws:${service}:${region}:${account}:${resource}`;
  // Attributes not listed here resolve as `<Arn or Ref>/<attribute>` (resources/unmodeled.ts placeholderAttribute).
  return shape.make(name, arn, properties);
}

function table(name: string, arn: (resource: string, service?: string) => string): PhysicalValues {
  const tableArn = arn(`table/${name}`, 'dynamodb');
  return { ref: name, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/2026-01-01T00:00:00.000` } };
}

function suffix(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}
