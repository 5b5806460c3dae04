import { KmsError } from './errors';

/** KMS's limit on a key policy. */
export const MAX_POLICY_BYTES = 32_768;

/** The default key policy KMS gives a key created without one: the account root may do everything. */
export function defaultKeyPolicy(account: string): string {
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
  }
}
