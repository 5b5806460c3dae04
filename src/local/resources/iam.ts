import { createHash } from 'crypto';
import { PhysicalResource, ResourceContext, ResourceHandler } from './types';

/**
 * `AWS::IAM::Role` and `AWS::IAM::User`: no KMS call. Each becomes a principal of the emulator once the stack's
 * policies are known (principals.ts); leaving the template forgets it. A new name or path replaces it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html
 */
export const iamRole: ResourceHandler = identityHandler('role');
export const iamUser: ResourceHandler = identityHandler('user');

function identityHandler(kind: 'role' | 'user'): ResourceHandler {
  const nameProperty = kind === 'role' ? 'RoleName' : 'UserName';
  const physical = (ctx: ResourceContext): PhysicalResource => {
    const name = String(ctx.properties[nameProperty] ?? physicalName(ctx.stackName, ctx.logicalId));
    const arn = identityArn(ctx.account, kind, ctx.properties.Path, name);
    const suffix = accessKeyIdOf(arn).slice(4);
    return { ref: name, attributes: kind === 'role' ? { Arn: arn, RoleId: `AROA${suffix}` } : { Arn: arn, UserId: `AIDA${suffix}` } };
  };
  return {
    replacedBy: [nameProperty, 'Path'],
    create: async ctx => physical(ctx),
    update: async ctx => physical(ctx),
    delete: async (ctx, previous) => ctx.removePrincipal(String(previous.attributes.Arn)),
  };
}

/**
 * `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`: documents the principals of the stack carry (principals.ts).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-managedpolicy.html
 */
export const iamPolicy: ResourceHandler = policyHandler(false);
export const iamManagedPolicy: ResourceHandler = policyHandler(true);

function policyHandler(managed: boolean): ResourceHandler {
  const physical = (ctx: ResourceContext): PhysicalResource => {
    const name = String(ctx.properties.PolicyName ?? ctx.properties.ManagedPolicyName ?? physicalName(ctx.stackName, ctx.logicalId));
    const arn = `arn:aws:iam::${ctx.account}:policy/${name}`;
    return { ref: managed ? arn : name, attributes: { PolicyArn: arn } };
  };
  return {
    replacedBy: managed ? ['ManagedPolicyName', 'Path'] : [],
    create: async ctx => physical(ctx),
    update: async ctx => physical(ctx),
  };
}

/** An IAM ARN with its path: `arn:aws:iam::111122223333:role/team/App`. */
export function identityArn(account: string, kind: 'role' | 'user', path: unknown, name: string): string {
  const inner = String(path ?? '/').replace(/^\/|\/$/g, '');
  return `arn:aws:iam::${account}:${kind}/${inner ? `${inner}/` : ''}${name}`;
}

/** The emulator access key id of a principal: derived from its ARN, so a redeployment finds it again. */
export function accessKeyIdOf(arn: string): string {
  return `AKIA${createHash('sha256').update(arn).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** CloudFormation's generated names: `<stack>-<logicalId>-<suffix>`, kept within IAM's 64 characters. */
export function physicalName(stack: string, logicalId: string): string {
  const suffix = createHash('sha256').update(`${stack}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  return `${stack}-${logicalId}`.slice(0, 51) + `-${suffix}`;
}
