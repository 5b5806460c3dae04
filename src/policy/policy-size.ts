import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { resolveTokensIn } from '../private/resolve-tokens';

/** KMS rejects key policies over 32 KB. */
export const MAX_KEY_POLICY_BYTES = 32_768;

/**
 * Returns a message when the rendered policy is over KMS's limit, naming the largest statements first so
 * the user knows what to remove; undefined when it fits.
 *
 * Tokens are measured as the CloudFormation JSON they resolve to, which is at least as long as a typical
 * ARN they become, so the estimate errs towards failing early rather than at deploy time.
 *
 * Only the document's tokens are resolved (`resolveTokensIn`): the same JSON as resolving the whole document, at a
 * fraction of the cost, which matters because every guarded key runs this at every synthesis.
 */
export function policySizeProblem(scope: IConstruct, document: iam.PolicyDocument): string | undefined {
  const json = resolveTokensIn(Stack.of(scope), document.toJSON()) as { Statement?: Array<{ Sid?: string }> };
  const size = Buffer.byteLength(JSON.stringify(json), 'utf8');
  if (size <= MAX_KEY_POLICY_BYTES) return undefined;
  const statements = (json.Statement ?? [])
    .map((s, i) => ({ name: s.Sid ?? `statement #${i + 1}`, bytes: Buffer.byteLength(JSON.stringify(s), 'utf8') }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map(s => `${s.name} (${s.bytes} bytes)`);
  return `the key policy is ${size} bytes, over KMS's limit of ${MAX_KEY_POLICY_BYTES}. ` +
    `Remove principals or statements; the largest statements are: ${statements.join(', ')}. ` +
    'Consider granting through IAM policies (grant* methods) or a role shared by many principals.';
}
