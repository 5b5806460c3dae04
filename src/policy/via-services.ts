import { Aws, Token } from 'aws-cdk-lib';

/**
 * The AWS services that call KMS on a caller's behalf and so set `kms:ViaService`, by the name their endpoint
 * uses (`<name>.<region>.<url suffix>`). A name outside this catalogue would render a condition no request ever
 * meets, so `viaServices` refuses it at synth.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/service-integration.html
 */
export const VIA_SERVICE_ENDPOINT_NAMES: readonly string[] = [
  'acm', 'airflow', 'appflow', 'athena', 'backup', 'codeartifact', 'codecommit', 'codeguru-reviewer', 'dax', 'dms',
  'dynamodb', 'ec2', 'ecr', 'elasticache', 'elasticfilesystem', 'es', 'firehose', 'fsx', 'glue', 'imagebuilder',
  'kafka', 'kendra', 'kinesis', 'kinesisvideo', 'lambda', 'lex', 'lightsail', 'memorydb', 'qldb', 'rds',
  'redshift', 'redshift-serverless', 's3', 'sagemaker', 'secretsmanager', 'ses', 'sns', 'sqs', 'ssm', 'states',
  'timestream', 'transcribe', 'workspaces', 'xray',
];

/** Names people write for a service whose KMS calls come through another endpoint. */
export const VIA_SERVICE_ALIASES: Readonly<Record<string, string>> = {
  'ebs': 'ec2',
  'docdb': 'rds',
  'neptune': 'rds',
  'aurora': 'rds',
  'efs': 'elasticfilesystem',
  'opensearch': 'es',
  'msk': 'kafka',
  'step-functions': 'states',
  'stepfunctions': 'states',
};

/** Services that use KMS as their own service principal, never via a caller: `viaServices` cannot name them. */
export const SERVICE_PRINCIPAL_ONLY: Readonly<Record<string, string>> = {
  logs: 'CloudWatch Logs calls KMS as its service principal logs.<region>.amazonaws.com (kms:EncryptionContext:aws:logs:arn); allow it with allowServicePrincipal',
  cloudtrail: 'CloudTrail calls KMS as its service principal cloudtrail.amazonaws.com; allow it with allowServicePrincipal',
  events: 'EventBridge calls KMS as its service principal events.amazonaws.com; allow it with allowServicePrincipal',
};

/** The endpoint name a `viaServices` entry stands for (`ebs` -> `ec2`), or undefined when it names no KMS integration. */
export function viaServiceEndpointName(service: string): string | undefined {
  if (Token.isUnresolved(service)) return service;
  const name = VIA_SERVICE_ALIASES[service] ?? service;
  return VIA_SERVICE_ENDPOINT_NAMES.includes(name) ? name : undefined;
}

/** Why a `viaServices` entry is refused, or undefined when it names a KMS integration. */
export function viaServiceProblem(service: string): string | undefined {
  if (viaServiceEndpointName(service) !== undefined) return undefined;
  const principalOnly = SERVICE_PRINCIPAL_ONLY[service];
  if (principalOnly) return `'viaServices' cannot name '${service}': ${principalOnly}`;
  return `'viaServices' entries must name an AWS service that calls KMS through kms:ViaService (${VIA_SERVICE_ENDPOINT_NAMES.join(', ')}; `
    + `or ${Object.entries(VIA_SERVICE_ALIASES).map(([a, b]) => `${a} for ${b}`).join(', ')}). Received: '${service}'`;
}

/**
 * `s3` in `eu-west-1` -> `s3.eu-west-1.amazonaws.com`, the value KMS puts in `kms:ViaService`. The domain follows
 * the partition: `amazonaws.com.cn` in the China regions; a region that is a token gets the `AWS::URLSuffix` token.
 */
export function viaServiceEndpoint(service: string, region: string): string {
  const name = viaServiceEndpointName(service) ?? service;
  return `${name}.${region}.${urlSuffixOf(region)}`;
}

function urlSuffixOf(region: string): string {
  if (Token.isUnresolved(region)) return Aws.URL_SUFFIX;
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** A condition block as IAM writes it: operator -> condition key -> values. */
type ConditionBlock = Record<string, Record<string, unknown>>;

/**
 * The `kms:ViaService` values that satisfy both the key's narrowing and the ones another construct puts on its
 * principal (`secret.grantRead` names `secretsmanager.<region>.amazonaws.com`): the intersection, so that neither
 * replaces the other. Undefined when neither narrows by service; an empty array when they exclude each other.
 */
export function intersectViaServices(keys: ConditionBlock, principals: ConditionBlock | undefined): string[] | undefined {
  const ours = viaServiceValues(keys);
  const theirs = viaServiceValues(principals ?? {});
  if (ours === undefined) return theirs;
  if (theirs === undefined) return ours;
  return ours.filter(value => theirs.includes(value));
}

function viaServiceValues(conditions: ConditionBlock): string[] | undefined {
  const value = conditions.StringEquals?.['kms:ViaService'];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}
