import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AllowServicePrincipalOptions } from './allow-service-principal-options';

export type { AllowServicePrincipalOptions };

/** What a service needs on a key when it calls KMS as its own service principal, and how AWS says to narrow it. */
interface ServicePrincipalPreset {
  /** The service principal (regional for Logs). */
  readonly principal: (region: string) => string;
  readonly actions: string[];
  /** The conditions AWS documents, from the resources the service acts for. */
  readonly conditions: (sourceArns: string[] | undefined, scope: IConstruct) => Record<string, Record<string, unknown>>;
}

const sourceConditions = (sourceArns: string[] | undefined, scope: IConstruct) => ({
  StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
  ...(sourceArns ? { ArnLike: { 'aws:SourceArn': sourceArns } } : {}),
});

/**
 * The services that call KMS as themselves, with the statement each one's documentation gives.
 */
export const SERVICE_PRINCIPAL_PRESETS: Record<string, ServicePrincipalPreset> = {
  /** @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html */
  'logs': {
    principal: region => `logs.${region}.amazonaws.com`,
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    conditions: (sourceArns, scope) => ({
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sourceArns ?? [`arn:${Aws.PARTITION}:logs:${Stack.of(scope).region}:${Stack.of(scope).account}:log-group:*`] },
    }),
  },
  /** @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html */
  'sns': { principal: () => 'sns.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], conditions: sourceConditions },
  /** @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html */
  'events': { principal: () => 'events.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], conditions: sourceConditions },
  /** @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html */
  'cloudtrail': {
    principal: () => 'cloudtrail.amazonaws.com',
    actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
    conditions: (sourceArns, scope) => ({
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': [`arn:${Aws.PARTITION}:cloudtrail:*:${Stack.of(scope).account}:trail/*`] },
      ...(sourceArns ? { ArnLike: { 'aws:SourceArn': sourceArns } } : { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } }),
    }),
  },
  /** @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html */
  's3-logging': { principal: () => 'logging.s3.amazonaws.com', actions: ['kms:Encrypt', 'kms:GenerateDataKey*'], conditions: sourceConditions },
};

/** The key-policy statement that lets `service` use the key as its own principal, narrowed as its documentation says. */
export function servicePrincipalStatement(
  scope: IConstruct, region: string, service: string, options: AllowServicePrincipalOptions,
): iam.PolicyStatement {
  const preset = SERVICE_PRINCIPAL_PRESETS[service];
  if (!preset) {
    throw new Error(`allowServicePrincipal: '${service}' is not a service that calls KMS as its own principal here; use one of ${Object.keys(SERVICE_PRINCIPAL_PRESETS).join(', ')}`);
  }
  return new iam.PolicyStatement({
    sid: `Allow${service.replace(/[^A-Za-z0-9]/g, '')}ServicePrincipal`,
    principals: [new iam.ServicePrincipal(preset.principal(region))],
    actions: preset.actions,
    resources: ['*'],
    conditions: preset.conditions(options.sourceArns, scope),
  });
}

/** Condition keys that tie a service principal's call to resources of this account (confused-deputy protection). */
export const SOURCE_CONDITION_KEYS: readonly string[] = [
  'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'aws:SourceOrgPaths',
  'kms:EncryptionContext:aws:logs:arn', 'kms:EncryptionContext:aws:cloudtrail:arn',
];
