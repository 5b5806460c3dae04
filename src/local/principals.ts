import { randomBytes } from 'crypto';
import { accessKeyIdOf } from './resources/iam';
import { sameJson, StoredResource } from './stack-state';
import { NamedPolicy, PolicyDocumentJson } from '../emulator/authz/types';
import { PrincipalConfig } from '../emulator/config';

/** A principal a stack defines, with the identity policies the stack gives it. */
export interface PrincipalDraft {
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly identityPolicies: NamedPolicy[];
}

/** What the deployment needs of the emulator to keep principals (a RunningEmulator, or the admin API over HTTP). */
export interface PrincipalRegistry {
  addPrincipal(principal: PrincipalConfig): void | Promise<void>;
  principal(accessKeyId: string): PrincipalConfig | undefined | Promise<PrincipalConfig | undefined>;
  removePrincipal(accessKeyId: string): void | Promise<void>;
}

/**
 * The roles and users of a deployed stack with their identity policies: inline `Policies`, `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` attached through `Roles`/`Users`, and the stack's managed policies attached by ARN
 * through `ManagedPolicyArns` (AWS managed policies, outside the template, are not modeled).
 */
export function principalsOfStack(stack: string, account: string, region: string, resources: Record<string, StoredResource>): PrincipalDraft[] {
  const entries = Object.entries(resources);
  const managedByArn = new Map(entries.filter(([, r]) => r.type === 'AWS::IAM::ManagedPolicy')
    .map(([, r]) => [String(r.attributes.PolicyArn), r.properties.PolicyDocument as PolicyDocumentJson]));
  const attachments = entries.filter(([, r]) => r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::ManagedPolicy');
  return entries.filter(([, r]) => r.type === 'AWS::IAM::Role' || r.type === 'AWS::IAM::User').map(([logicalId, r]) => {
    const props = r.properties as Record<string, any>;
    const policies: NamedPolicy[] = (props.Policies ?? []).map((p: any) => ({ name: `${logicalId}/${p.PolicyName}`, document: p.PolicyDocument }));
    for (const [, policy] of attachments) {
      const holders = [...(policy.properties.Roles as unknown[] ?? []), ...(policy.properties.Users as unknown[] ?? [])].map(String);
      if (!holders.includes(r.ref)) continue;
      const name = String(policy.properties.PolicyName ?? policy.properties.ManagedPolicyName ?? policy.attributes.PolicyArn).split('/').pop()!;
      policies.push({ name, document: policy.properties.PolicyDocument as PolicyDocumentJson });
    }
    for (const arn of (props.ManagedPolicyArns ?? []).map(String)) {
      const document = managedByArn.get(arn);
      if (document) policies.push({ name: arn, document });
    }
    return { stack, logicalId, path: r.path, arn: String(r.attributes.Arn), account, region, identityPolicies: policies };
  });
}

/**
 * Makes sure the emulator knows a principal as drafted, and returns its credentials. A principal it already has
 * (same ARN) keeps its secret, and is only registered again when its policies changed: a redeployment leaves
 * every client made before it working, and an unchanged one registers nothing.
 */
export async function ensurePrincipal(registry: PrincipalRegistry, arn: string, identityPolicies: NamedPolicy[]): Promise<PrincipalConfig> {
  const accessKeyId = accessKeyIdOf(arn);
  const existing = await registry.principal(accessKeyId);
  if (existing && existing.arn === arn && sameJson(existing.identityPolicies ?? [], identityPolicies)) return existing;
  const principal: PrincipalConfig = {
    arn,
    accessKeyId,
    secretAccessKey: existing?.arn === arn ? existing.secretAccessKey : randomBytes(20).toString('base64'),
    identityPolicies,
  };
  await registry.addPrincipal(principal);
  return principal;
}
