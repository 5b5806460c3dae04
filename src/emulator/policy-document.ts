import { isConditionOperator } from './authz/conditions';
import { KmsError } from './errors';

/** KMS's limit on a key policy. */
export const MAX_POLICY_BYTES = 32_768;

/** The default key policy KMS gives a key created without one: the account root may do everything. */
export function defaultKeyPolicy(account: string): string {
  // One text per account, made once: a string cannot be changed, so every key of the account can share it, and a
  // shared text is found at once in the parsed-policy cache (context.ts) and the decision cache's policy check.
  let text = DEFAULT_POLICIES.get(account);
  if (text === undefined) {
    if (DEFAULT_POLICIES.size >= DEFAULT_POLICIES_KEPT) DEFAULT_POLICIES.delete(DEFAULT_POLICIES.keys().next().value!);
    DEFAULT_POLICIES.set(account, text = defaultKeyPolicyText(account));
  }
  return text;
}

const DEFAULT_POLICIES = new Map<string, string>();
/** Accounts whose default policy text is kept (an emulator serves a few). */
const DEFAULT_POLICIES_KEPT = 64;

function defaultKeyPolicyText(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    }],
  });
}

/**
 * Validates a key policy's shape as KMS does before accepting it: size, JSON, a Statement list, Effect/Action/Principal
 * in each. The lockout safety check needs the evaluator and the caller: see operations/lockout.ts.
 */
export function validateKeyPolicy(text: string): void {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new KmsError('LimitExceededException', `The key policy is larger than ${MAX_POLICY_BYTES} bytes.`);
  }
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(text);
  } catch {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy is not valid JSON.');
  }
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : undefined;
  if (!statements || statements.length === 0) throw new KmsError('MalformedPolicyDocumentException', 'The key policy has no Statement.');
  for (const s of statements as Array<Record<string, unknown>>) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new KmsError('MalformedPolicyDocumentException', 'Every statement needs an Effect of Allow or Deny.');
    if (s.Action === undefined && s.NotAction === undefined) throw new KmsError('MalformedPolicyDocumentException', 'Every statement needs an Action or NotAction.');
    if (s.Principal === undefined && s.NotPrincipal === undefined) throw new KmsError('MalformedPolicyDocumentException', 'Policy contains a statement with no principal.');
    for (const principal of [s.Principal, s.NotPrincipal]) {
      if (principal !== undefined && !isValidPrincipal(principal)) throw new KmsError('MalformedPolicyDocumentException', INVALID_PRINCIPALS);
    }
    assertConditionOperators(s.Condition);
  }
}

const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';

/** Principal types a key policy may name. */
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
/**
 * What IAM accepts in an `AWS` principal: `*`, an account id, a root, role, user, assumed-role session or federated
 * user ARN. A wildcard inside an ARN (`role/Ap*`) is not a principal: IAM refuses it (use `"*"` with an
 * `aws:PrincipalArn` condition instead), and so does the emulator rather than match it as a pattern.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
const AWS_PRINCIPAL = /^(\*|\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]+)|arn:aws[a-z-]*:sts::\d{12}:(assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+))$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

function isValidPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return false;
  const entries = Object.entries(principal as Record<string, unknown>);
  if (entries.length === 0) return false;
  return entries.every(([type, raw]) => {
    if (!PRINCIPAL_TYPES.includes(type)) return false;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) return false;
    return values.every(value => {
      if (typeof value !== 'string') return false;
      if (type === 'AWS') return AWS_PRINCIPAL.test(value);
      if (type === 'Service') return SERVICE_PRINCIPAL.test(value);
      return value.length > 0 && !/[*?]/.test(value);
    });
  });
}

/** Unknown operators (`StringEqual`) are refused when written: the evaluator could only ignore them. */
function assertConditionOperators(condition: unknown): void {
  if (condition === undefined) return;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new KmsError('MalformedPolicyDocumentException', 'Policy contains a statement whose Condition is not an object.');
  }
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isConditionOperator(operator)) {
      throw new KmsError('MalformedPolicyDocumentException', `Policy contains a statement with an invalid condition operator: ${operator}.`);
    }
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
      throw new KmsError('MalformedPolicyDocumentException', `Policy contains a statement whose condition ${operator} is not a map of condition keys to values.`);
    }
  }
}
