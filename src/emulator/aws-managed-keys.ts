import { randomUUID } from 'crypto';
import { DAY_MS } from './clock';
import { newMaterial } from './lifecycle';
import { AliasRecord, aliasSlot, KeyRecord } from './state';
import { Store } from './store';

/**
 * AWS managed keys: every account and region has predefined aliases (`alias/aws/s3`, ...) that point at nothing
 * until a service, or a request naming the alias, first uses one; then KMS creates the key (KeyManager AWS,
 * rotated yearly) and binds the alias to it. ListAliases shows the predefined aliases without a TargetKeyId until
 * then. The key policy lets callers of the account use the key only through its service, and the account read it;
 * nobody may change, disable, tag or delete it (the policy grants nothing of the kind, so those requests are
 * AccessDeniedException).
 * @module
 */

/** One predefined alias: the service whose endpoint prefix `kms:ViaService` names, and what the key protects. */
interface ManagedKeySpec {
  readonly service: string;
  readonly protects: string;
  /** Services that hand the key to other AWS resources through grants (EBS volumes, RDS instances). */
  readonly grants?: boolean;
}

/** The predefined aliases, by name (the ones a new account lists; `ebs` is used through EC2). */
export const AWS_MANAGED_ALIASES: Readonly<Record<string, ManagedKeySpec>> = {
  'alias/aws/acm': { service: 'acm', protects: 'ACM private keys' },
  'alias/aws/backup': { service: 'backup', protects: 'backups' },
  'alias/aws/dynamodb': { service: 'dynamodb', protects: 'DynamoDB data', grants: true },
  'alias/aws/ebs': { service: 'ec2', protects: 'EBS volumes', grants: true },
  'alias/aws/ecr': { service: 'ecr', protects: 'ECR data' },
  'alias/aws/elasticfilesystem': { service: 'elasticfilesystem', protects: 'EFS file systems', grants: true },
  'alias/aws/es': { service: 'es', protects: 'Elasticsearch data' },
  'alias/aws/glue': { service: 'glue', protects: 'Glue data' },
  'alias/aws/kinesis': { service: 'kinesis', protects: 'Kinesis data' },
  'alias/aws/kinesisvideo': { service: 'kinesisvideo', protects: 'Kinesis Video Streams data' },
  'alias/aws/lambda': { service: 'lambda', protects: 'Lambda functions' },
  'alias/aws/rds': { service: 'rds', protects: 'RDS database volumes', grants: true },
  'alias/aws/redshift': { service: 'redshift', protects: 'Redshift data', grants: true },
  'alias/aws/s3': { service: 's3', protects: 'S3 objects' },
  'alias/aws/secretsmanager': { service: 'secretsmanager', protects: 'Secrets Manager secrets' },
  'alias/aws/sns': { service: 'sns', protects: 'SNS data' },
  'alias/aws/sqs': { service: 'sqs', protects: 'SQS data' },
  'alias/aws/ssm': { service: 'ssm', protects: 'Systems Manager parameters' },
  'alias/aws/xray': { service: 'xray', protects: 'X-Ray data' },
};

/** AWS managed keys rotate every year, and that cannot be changed. */
const ROTATION_DAYS = 365;

/** Whether an alias name is one of the predefined AWS aliases. */
export function isAwsManagedAlias(aliasName: string): boolean {
  return Object.prototype.hasOwnProperty.call(AWS_MANAGED_ALIASES, aliasName);
}

/**
 * The alias record of a predefined AWS alias, creating its AWS managed key on first use. Undefined for any other
 * alias name.
 */
export function ensureAwsManagedKey(store: Store, account: string, region: string, aliasName: string, now: number): AliasRecord | undefined {
  const spec = isAwsManagedAlias(aliasName) ? AWS_MANAGED_ALIASES[aliasName] : undefined;
  if (!spec) return undefined;
  const existing = store.aliases.get(aliasSlot(account, region, aliasName));
  if (existing) return existing;
  const keyId = randomUUID();
  const key: KeyRecord = {
    keyId,
    account,
    region,
    arn: `arn:aws:kms:${region}:${account}:key/${keyId}`,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyManager: 'AWS',
    description: `Default key that protects my ${spec.protects} when no other key is defined`,
    state: 'Enabled',
    createdAt: now,
    policy: awsManagedKeyPolicy(aliasName, account, region),
    tags: {},
    rotation: { enabled: true, periodDays: ROTATION_DAYS, nextRotationDate: now + ROTATION_DAYS * DAY_MS },
    materials: [newMaterial({ keySpec: 'SYMMETRIC_DEFAULT' }, now)],
    multiRegion: false,
  };
  store.putKey(key);
  const alias: AliasRecord = { aliasName, account, region, targetKeyId: keyId, createdAt: now, lastUpdatedAt: now };
  store.putAlias(alias);
  return alias;
}

/**
 * The policy KMS gives an AWS managed key: use through the service by any principal of the account (which still
 * needs IAM permission), and read access for the account.
 */
export function awsManagedKeyPolicy(aliasName: string, account: string, region: string): string {
  const spec = AWS_MANAGED_ALIASES[aliasName];
  const name = aliasName.slice('alias/aws/'.length);
  const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', ...(spec.grants ? ['kms:CreateGrant'] : []), 'kms:DescribeKey'];
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `auto-${name}-1`,
    Statement: [
      {
        Sid: `Allow access through ${name} for all principals in the account that are authorized to use ${name}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: actions,
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${spec.service}.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ],
  }, null, 2);
}
