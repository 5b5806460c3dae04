/**
 * The AWS services the local deployment acts as, one file each, in a table by CloudFormation resource type.
 * @module
 */
import { DYNAMODB } from './dynamodb';
import { EBS } from './ebs';
import { KINESIS } from './kinesis';
import { LAMBDA } from './lambda';
import { LOGS } from './logs';
import { RDS } from './rds';
import { S3 } from './s3';
import { SECRETS_MANAGER } from './secrets-manager';
import { SNS } from './sns';
import { SQS } from './sqs';
import { ServiceModel } from './types';

export const SERVICE_MODELS: readonly ServiceModel[] = [S3, SQS, SNS, DYNAMODB, SECRETS_MANAGER, LOGS, EBS, LAMBDA, RDS, KINESIS];

const BY_TYPE: ReadonlyMap<string, ServiceModel> = new Map(SERVICE_MODELS.flatMap(m => m.resourceTypes.map(t => [t, m] as const)));

/** The model of the service behind a resource type, if the local deployment acts as it. */
export function serviceModelFor(type: string): ServiceModel | undefined {
  return BY_TYPE.get(type);
}

export type { ServiceModel, ServiceKmsCall, ServiceUse, UseMode, NamedKey } from './types';
