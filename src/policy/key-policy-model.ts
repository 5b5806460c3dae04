import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { callerConditions, Conditions, Narrowing, useConditions } from './narrowing';
import { principalArnPattern, principalIdentity } from './principal-identity';
import {
  ADMIN_ACTIONS, ALL_DECRYPT_SIDE_ACTIONS, ALL_ENCRYPT_SIDE_ACTIONS, ALL_MANAGEMENT_ACTIONS, DECRYPT_ACTIONS,
  DESCRIBE_ACTIONS, ENCRYPT_ACTIONS, GRANT_ACTIONS, MULTI_REGION_ADMIN_ACTIONS, POLICY_CHANGE_ACTIONS, USE_ACTIONS,
} from '../private/perms';

/** The roles a principal can hold on a guarded key. Admins manage; the other three use. */
export type KeyRole = 'admin' | 'user' | 'encryptor' | 'decryptor';

/** The roles that use the key, in rendering order. */
export const USE_ROLES: readonly KeyRole[] = ['user', 'encryptor', 'decryptor'];

/** Where a principal's permission lives: in the key policy, or in its own IAM policy (a `grant*` call). */
export type GrantedThrough = 'key-policy' | 'iam-policy';

interface Member {
  readonly principal: iam.IPrincipal;
  readonly role: KeyRole;
  readonly through: GrantedThrough;
}

/** Everything that decides a guarded key's policy. */
export interface KeyPolicyModelOptions extends Narrowing {
  /** Grants for AWS resources (`kms:GrantIsForAWSResource`) to users. */
  readonly allowGrantsForAwsResources?: boolean;
  /** Explicit Deny statements so only listed principals use or manage the key, whatever IAM says. */
  readonly strict?: boolean;
  /** Identities that must keep managing the key in strict mode (the CloudFormation execution role). */
  readonly deployers?: iam.IPrincipal[];
  /** Give admins `kms:PutKeyPolicy`. */
  readonly allowAdminsToChangePolicy?: boolean;
  /** Give admins `kms:ReplicateKey` and `kms:UpdatePrimaryRegion`. */
  readonly multiRegion?: boolean;
}

/** The Sids of the statements the model writes, in the order it writes them. */
export const STATEMENT_SIDS = {
  root: 'EnableRootAccessAndIAMPolicies',
  admin: 'AllowKeyAdministration',
  user: 'AllowKeyUse',
  encryptor: 'AllowEncryptOnly',
  decryptor: 'AllowDecryptOnly',
  describe: 'AllowKeyUsersToDescribeKey',
  grants: 'AllowGrantsForAwsResourcesOnly',
  denyEncrypt: 'DenyEncryptToUnlistedPrincipals',
  denyDecrypt: 'DenyDecryptToUnlistedPrincipals',
  denyGrants: 'DenyGrantsToUnlistedPrincipals',
  denyManagement: 'DenyManagementToUnlistedPrincipals',
} as const;

/** The actions each role holds. */
export function actionsFor(role: KeyRole, options: Pick<KeyPolicyModelOptions, 'allowAdminsToChangePolicy' | 'multiRegion'> = {}): string[] {
  switch (role) {
    case 'admin':
      return [
        ...ADMIN_ACTIONS,
        ...(options.allowAdminsToChangePolicy ? POLICY_CHANGE_ACTIONS : []),
        ...(options.multiRegion ? MULTI_REGION_ADMIN_ACTIONS : []),
      ].sort();
    case 'user': return [...USE_ACTIONS];
    case 'encryptor': return [...ENCRYPT_ACTIONS];
    case 'decryptor': return [...DECRYPT_ACTIONS];
  }
}

/**
 * The key-policy model shared by guarded keys, their replicas and the guard.
 *
 * It keeps who holds which role and how use is narrowed, and renders a key policy whose statements have
 * explaining Sids and a deterministic order: root, admins, users, encryptors, decryptors, describe, grants,
 * strict-mode denies, then statements added by other constructs. A replica renders the same model for its
 * own region (ViaService values name the region the policy is rendered for).
 */
export class KeyPolicyModel {
  private readonly members: Member[] = [];
  private readonly extraStatements: iam.PolicyStatement[] = [];

  constructor(private readonly scope: IConstruct, public readonly options: KeyPolicyModelOptions) {}

  /** Adds a principal in a role; returns false when it already held exactly that role. */
  public add(role: KeyRole, principal: iam.IPrincipal, through: GrantedThrough = 'key-policy'): boolean {
    const id = principalIdentity(this.scope, principal);
    if (this.members.some(m => m.role === role && m.through === through && principalIdentity(this.scope, m.principal) === id)) return false;
    this.members.push({ principal, role, through });
    return true;
  }

  /** The roles a principal holds (in the key policy or through IAM grants). */
  public rolesOf(principal: iam.IPrincipal): KeyRole[] {
    const id = principalIdentity(this.scope, principal);
    return [...new Set(this.members.filter(m => principalIdentity(this.scope, m.principal) === id).map(m => m.role))];
  }

  /** Principals holding a role, optionally only those written into the key policy. */
  public principals(role: KeyRole, through?: GrantedThrough): iam.IPrincipal[] {
    return this.members.filter(m => m.role === role && (through === undefined || m.through === through)).map(m => m.principal);
  }

  /** All members, for validation and the access matrix. */
  public allMembers(): ReadonlyArray<{ principal: iam.IPrincipal; role: KeyRole; through: GrantedThrough }> {
    return this.members;
  }

  /** A statement from another construct (`addToResourcePolicy`), kept after the model's own. */
  public addStatement(statement: iam.PolicyStatement): void {
    this.extraStatements.push(statement);
  }

  /** Conditions on cryptographic use for the given region. */
  public useConditions(region: string = Aws.REGION): Conditions {
    return useConditions(this.options, region);
  }

  /** Conditions on context-free use (DescribeKey, grants) for the given region. */
  public callerConditions(region: string = Aws.REGION): Conditions {
    return callerConditions(this.options, region);
  }

  /** Renders the key policy for a region (the primary's, or a replica's). */
  public render(region: string = Stack.of(this.scope).region): iam.PolicyDocument {
    const statements: iam.PolicyStatement[] = [];
    const inPolicy = (role: KeyRole) => this.principals(role, 'key-policy');

    statements.push(new iam.PolicyStatement({
      sid: STATEMENT_SIDS.root,
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:*'],
      resources: ['*'],
    }));

    const admins = inPolicy('admin');
    if (admins.length) {
      statements.push(allow(STATEMENT_SIDS.admin, admins, actionsFor('admin', this.options)));
    }

    const use = this.useConditions(region);
    for (const role of USE_ROLES) {
      const principals = inPolicy(role);
      if (principals.length) statements.push(allow(STATEMENT_SIDS[role as 'user'], principals, actionsFor(role), use));
    }

    const users = USE_ROLES.flatMap(inPolicy);
    if (users.length) {
      const callers = this.callerConditions(region);
      statements.push(allow(STATEMENT_SIDS.describe, users, DESCRIBE_ACTIONS, callers));
      if (this.options.allowGrantsForAwsResources) {
        statements.push(allow(STATEMENT_SIDS.grants, users, GRANT_ACTIONS, {
          ...callers,
          Bool: { 'kms:GrantIsForAWSResource': true },
        }));
      }
    }

    if (this.options.strict) statements.push(...this.strictDenies());
    statements.push(...this.extraStatements);
    return new iam.PolicyDocument({ statements });
  }

  /**
   * Strict mode: explicit denies to everyone but the root user and the listed principals, so that an IAM
   * policy granting `kms:*` cannot reach past the key policy.
   */
  private strictDenies(): iam.PolicyStatement[] {
    const root = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`;
    const of = (...roles: KeyRole[]) => [root, ...this.members.filter(m => roles.includes(m.role)).map(m => principalArnPattern(m.principal)!)];
    const deployers = (this.options.deployers ?? []).map(p => principalArnPattern(p)!);
    return [
      deny(STATEMENT_SIDS.denyEncrypt, ALL_ENCRYPT_SIDE_ACTIONS, of('user', 'encryptor')),
      deny(STATEMENT_SIDS.denyDecrypt, ALL_DECRYPT_SIDE_ACTIONS, of('user', 'decryptor')),
      deny(STATEMENT_SIDS.denyGrants, ['kms:CreateGrant'], of('user', 'encryptor', 'decryptor')),
      deny(STATEMENT_SIDS.denyManagement, ALL_MANAGEMENT_ACTIONS, [...of('admin'), ...deployers]),
    ];
  }
}

function allow(sid: string, principals: iam.IPrincipal[], actions: string[], conditions?: Conditions): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals,
    actions,
    resources: ['*'],
    conditions: conditions && Object.keys(conditions).length ? conditions : undefined,
  });
}

function deny(sid: string, actions: string[], exceptArns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    conditions: { ArnNotLike: { 'aws:PrincipalArn': dedupe(exceptArns) } },
  });
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
