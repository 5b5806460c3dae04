import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { cdkCore, iamClasses } from '../private/cdk-exports';
import { resolveTokensIn } from '../private/resolve-tokens';

/**
 * A stable identity for a principal, so that "is this role both an admin and a user?" can be asked of
 * principals that are different objects (an imported role and the role itself) or carry tokens.
 */
export function principalIdentity(scope: IConstruct, principal: iam.IPrincipal): string {
  return JSON.stringify(resolveIn(scope, principal));
}

/**
 * Resolves a principal in its own stack when it is a construct: a role of another account's stack cannot be
 * resolved in the key's stack (that would be a cross-environment reference).
 */
function resolveIn(scope: IConstruct, principal: iam.IPrincipal): unknown {
  const home = Construct.isConstruct(principal) ? principal : scope;
  // The resolver's JSON, with only the tokens resolved: a literal ARN is asked for on every member check.
  return resolveTokensIn(cdkCore().Stack.of(home), principal.policyFragment.principalJson);
}

/** The account of a principal: its `principalAccount`, or the account in a literal IAM ARN. */
export function accountOfPrincipal(principal: iam.IPrincipal): string | undefined {
  if (principal.principalAccount !== undefined) return principal.principalAccount;
  const arn = principalArnPattern(principal);
  if (arn === undefined || cdkCore().Token.isUnresolved(arn)) return undefined;
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/** A readable name for a principal in error messages and the access matrix. */
export function describePrincipal(scope: IConstruct, principal: iam.IPrincipal): string {
  const json = resolveIn(scope, principal) as Record<string, unknown[]>;
  const parts: string[] = [];
  for (const [type, values] of Object.entries(json)) {
    for (const value of values) parts.push(type === 'AWS' ? readableToken(value) : `${type}:${readableToken(value)}`);
  }
  return parts.join(', ');
}

/**
 * Renders a resolved CloudFormation value for people: `{"Fn::GetAtt":["AppRole","Arn"]}` becomes `AppRole.Arn`,
 * `{"Ref":"AWS::AccountId"}` becomes `${AWS::AccountId}`, joins are concatenated.
 */
export function readableToken(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(readableToken).join(',');
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return String(obj.Ref).startsWith('AWS::') ? `\${${obj.Ref}}` : String(obj.Ref);
    if ('Fn::GetAtt' in obj) {
      const att = obj['Fn::GetAtt'];
      if (!Array.isArray(att)) return String(att);
      const imported = crossRegionImport(String(att[1]));
      return imported ?? att.join('.');
    }
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(readableToken).join(sep);
    }
    if ('Fn::ImportValue' in obj) return `import(${readableToken(obj['Fn::ImportValue'])})`;
    if ('Fn::Sub' in obj) return readableToken(Array.isArray(obj['Fn::Sub']) ? obj['Fn::Sub'][0] : obj['Fn::Sub']);
  }
  return JSON.stringify(value);
}

/**
 * A value CDK passes between regions through its exports reader (`/cdk/exports/<stack>/<stack><region>FnGetAtt
 * <LogicalId>Arn<hash>`), shown as the logical ID without its hash and the stack it comes from.
 */
function crossRegionImport(attribute: string): string | undefined {
  const region = '[a-z]{2}(?:gov)?(?:north|south)?(?:east|west|central)?\\d';
  const match = new RegExp(`^/cdk/exports/[^/]+/([A-Za-z0-9]+?)${region}FnGetAtt([A-Za-z0-9]+?)[0-9A-F]{8}Arn[0-9A-F]{8}$`).exec(attribute);
  return match ? `${match[2]} (${match[1]})` : undefined;
}

/**
 * The ARN pattern that matches `aws:PrincipalArn` for the callers a principal stands for, used by strict-mode
 * Deny exceptions: a role or user is its own ARN; an account principal stands for every identity of that account.
 * Returns undefined for principals that have no IAM ARN (services, federated identities).
 */
export function principalArnPattern(principal: iam.IPrincipal): string | undefined {
  if (principal instanceof iamClasses().AccountPrincipal) {
    return `arn:${cdkCore().Aws.PARTITION}:iam::${principal.accountId}:*`;
  }
  if (principal instanceof iamClasses().ArnPrincipal) return principal.arn;
  const maybeRole = principal as Partial<iam.IRole & iam.IUser>;
  if (typeof maybeRole.roleArn === 'string') return maybeRole.roleArn;
  if (typeof maybeRole.userArn === 'string') return maybeRole.userArn;
  const json = principal.policyFragment.principalJson;
  const aws = json.AWS ?? [];
  if (aws.length === 1 && (typeof aws[0] === 'string' || cdkCore().Token.isUnresolved(aws[0]))) return aws[0];
  return undefined;
}
