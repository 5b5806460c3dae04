import { Token } from 'aws-cdk-lib';
import { viaServiceEndpoint, viaServiceProblem } from './via-services';

/**
 * How use of a key is narrowed, and the IAM conditions that express it.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 */
export interface Narrowing {
  /** Short service names (`s3`, `secretsmanager`) rendered as `kms:ViaService` = `<service>.<region>.amazonaws.com`. */
  readonly viaServices?: string[];
  /** Accounts allowed as `kms:CallerAccount`. */
  readonly callerAccounts?: string[];
  /** Encryption context pairs that must be present; the value `*` means "present with any value". */
  readonly requiredEncryptionContext?: Record<string, string>;
}

/** Wildcard value meaning "this encryption context key must be present, with any value". */
export const ANY_CONTEXT_VALUE = '*';

/** A condition block as IAM writes it: operator -> condition key -> values. */
export type Conditions = Record<string, Record<string, unknown>>;

/** Conditions for cryptographic operations (they carry an encryption context). */
export function useConditions(narrowing: Narrowing, region: string): Conditions {
  const conditions = callerConditions(narrowing, region);
  for (const [key, value] of Object.entries(narrowing.requiredEncryptionContext ?? {})) {
    addCondition(conditions, contextOperator(key, value), `kms:EncryptionContext:${key}`, value);
  }
  return conditions;
}

/**
 * `StringEquals` for an exact value; a pattern (`*`, `?`) is `ArnLike` for the ARN-valued context keys services set
 * (`aws:s3:arn`, `aws:logs:arn`) and `StringLike` otherwise.
 */
function contextOperator(key: string, value: string): string {
  if (!/[*?]/.test(value)) return 'StringEquals';
  return SERVICE_CONTEXT_KEYS[key] === 'arn' ? 'ArnLike' : 'StringLike';
}

/**
 * The encryption-context keys AWS services set on the requests they make for a caller (the only `aws`-prefixed
 * keys a required context may name), and whether each holds an ARN.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/service-integration.html (each service's page)
 */
export const SERVICE_CONTEXT_KEYS: Readonly<Record<string, 'arn' | 'string'>> = {
  'aws:s3:arn': 'arn',
  'aws:sqs:arn': 'arn',
  'aws:sns:topicArn': 'arn',
  'aws:logs:arn': 'arn',
  'aws:kinesis:arn': 'arn',
  'aws:cloudtrail:arn': 'arn',
  'aws:lambda:FunctionArn': 'arn',
  'aws:dynamodb:tableName': 'string',
  'aws:dynamodb:subscriberId': 'string',
  'aws:ebs:id': 'string',
  'aws:rds:db-id': 'string',
};

/**
 * Conditions for operations without an encryption context (DescribeKey, grants):
 * requiring a context there would make them impossible.
 */
export function callerConditions(narrowing: Narrowing, region: string): Conditions {
  const conditions: Conditions = {};
  if (narrowing.viaServices?.length) {
    addCondition(conditions, 'StringEquals', 'kms:ViaService', narrowing.viaServices.map(s => viaServiceEndpoint(s, region)));
  }
  if (narrowing.callerAccounts?.length) {
    addCondition(conditions, 'StringEquals', 'kms:CallerAccount', [...narrowing.callerAccounts]);
  }
  return conditions;
}

export { viaServiceEndpoint };

function addCondition(conditions: Conditions, operator: string, key: string, value: unknown): void {
  conditions[operator] = { ...(conditions[operator] ?? {}), [key]: value };
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** KMS allows 1-2048 characters per context key; the `aws` prefix is reserved for AWS's own keys. */
const CONTEXT_KEY_MAX = 2048;

/** Returns a message per invalid narrowing value (empty when all are valid). */
export function narrowingProblems(narrowing: Narrowing): string[] {
  const problems: string[] = [];
  if (narrowing.viaServices !== undefined) {
    if (narrowing.viaServices.length === 0) problems.push("'viaServices' must list at least one service (e.g. ['s3']), or be omitted");
    for (const s of narrowing.viaServices) {
      if (Token.isUnresolved(s)) continue;
      if (!SERVICE_NAME.test(s)) {
        problems.push(`'viaServices' entries must be service names like 's3' or 'secretsmanager' (the region and domain are added). Received: '${s}'`);
      } else {
        const problem = viaServiceProblem(s);
        if (problem) problems.push(problem);
      }
    }
  }
  if (narrowing.callerAccounts !== undefined) {
    if (narrowing.callerAccounts.length === 0) problems.push("'callerAccounts' must list at least one account, or be omitted");
    for (const a of narrowing.callerAccounts) {
      if (!Token.isUnresolved(a) && !ACCOUNT_ID.test(a)) problems.push(`'callerAccounts' entries must be 12-digit account IDs. Received: '${a}'`);
    }
  }
  for (const [key, value] of Object.entries(narrowing.requiredEncryptionContext ?? {})) {
    if (key.length === 0 || key.length > CONTEXT_KEY_MAX) {
      problems.push(`'requiredEncryptionContext' keys must be 1 to ${CONTEXT_KEY_MAX} characters. Received a key of ${key.length}`);
    } else if (key.toLowerCase().startsWith('aws') && SERVICE_CONTEXT_KEYS[key] === undefined) {
      problems.push(`'requiredEncryptionContext' keys starting with 'aws' are reserved by AWS; only the keys services set may be named (${Object.keys(SERVICE_CONTEXT_KEYS).join(', ')}). Received: '${key}'`);
    }
    if (typeof value !== 'string' || value.length === 0) {
      problems.push(`'requiredEncryptionContext' values must be non-empty strings ('${ANY_CONTEXT_VALUE}' for any value). Received an empty value for '${key}'`);
    }
  }
  return problems;
}

/** True when nothing narrows use, i.e. a `Principal: *` user would be open to the world. */
export function isUnnarrowed(narrowing: Narrowing): boolean {
  return !narrowing.viaServices?.length && !narrowing.callerAccounts?.length;
}
