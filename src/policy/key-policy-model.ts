import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { callerConditions, Conditions, Narrowing, useConditions } from './narrowing';
import { accountOfPrincipal, principalArnPattern, principalIdentity } from './principal-identity';
import { cdkCore, iamClasses } from '../private/cdk-exports';
import {
  ADMIN_ACTIONS, ALL_DECRYPT_SIDE_ACTIONS, ALL_ENCRYPT_SIDE_ACTIONS, ALL_MANAGEMENT_ACTIONS, ASYMMETRIC_DECRYPT_ACTIONS,
  ASYMMETRIC_ENCRYPT_ACTIONS, DECRYPT_ACTIONS, DESCRIBE_ACTIONS, ENCRYPT_ACTIONS, GENERATE_MAC_ACTIONS, GRANT_ACTIONS,
  MULTI_REGION_ADMIN_ACTIONS, POLICY_CHANGE_ACTIONS, SIGN_ACTIONS, USE_ACTIONS, VERIFY_ACTIONS, VERIFY_MAC_ACTIONS,
  DERIVE_SHARED_SECRET_ACTIONS, PUBLIC_KEY_ACTIONS,
} from '../private/perms';

/** The roles a principal can hold on a guarded key. Admins manage; every other role uses. */
export type KeyRole = 'admin' | 'user' | 'encryptor' | 'decryptor' | 'signer' | 'verifier' | 'macGenerator' | 'macVerifier'
  | 'deriver' | 'publicKeyReader';

/** The roles that use the key, in rendering order. */
export const USE_ROLES: readonly KeyRole[] = [
  'user', 'encryptor', 'decryptor', 'signer', 'verifier', 'macGenerator', 'macVerifier', 'deriver', 'publicKeyReader',
];

/**
 * What kind of key the policy is for: it decides which roles exist, which actions they hold and
 * whether encryption-context conditions can apply (only symmetric operations carry a context).
 */
export type KeyKind = 'symmetric' | 'rsa-encryption' | 'signing' | 'hmac' | 'key-agreement';

/** The use roles each kind of key has. */
export const ROLES_OF_KIND: Record<KeyKind, readonly KeyRole[]> = {
  'symmetric': ['user', 'encryptor', 'decryptor'],
  'rsa-encryption': ['user', 'encryptor', 'decryptor'],
  'signing': ['signer', 'verifier'],
  'hmac': ['macGenerator', 'macVerifier'],
  'key-agreement': ['deriver', 'publicKeyReader'],
};

/** The props (and error messages) name each role's list this way. */
export const ROLE_PROP: Record<KeyRole, string> = {
  admin: 'admins',
  user: 'users',
  encryptor: 'encryptors',
  decryptor: 'decryptors',
  signer: 'signers',
  verifier: 'verifiers',
  macGenerator: 'generators',
  macVerifier: 'verifiers',
  deriver: 'derivers',
  publicKeyReader: 'publicKeyReaders',
};

/** Where a principal's permission lives: in the key policy, or in its own IAM policy (a `grant*` call). */
export type GrantedThrough = 'key-policy' | 'iam-policy';

interface Member {
  readonly principal: iam.IPrincipal;
  readonly role: KeyRole;
  readonly through: GrantedThrough;
  /**
   * The region of the replica whose grant made the principal a member: it is rendered in that replica's policy only
   * (a principal of the replica's stack cannot be named in the primary's, another region's stack).
   */
  readonly onlyIn?: string;
}

/** Everything that decides a guarded key's policy. */
export interface KeyPolicyModelOptions extends Narrowing {
  /** The kind of key. Default: symmetric. */
  readonly kind?: KeyKind;
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

/** What a replica renders differently from its primary. */
export interface ReplicaRendering {
  /** The replica's own extra statements (the primary's stay on the primary). */
  readonly extraStatements: iam.PolicyStatement[];
  /** The replica region's deployers, when the primary's were defaulted. */
  readonly deployers?: iam.IPrincipal[];
}

/** The Sids of the statements the model writes, in the order it writes them. */
export const STATEMENT_SIDS = {
  root: 'EnableRootAccessAndIAMPolicies',
  admin: 'AllowKeyAdministration',
  user: 'AllowKeyUse',
  encryptor: 'AllowEncryptOnly',
  decryptor: 'AllowDecryptOnly',
  signer: 'AllowSign',
  verifier: 'AllowVerify',
  macGenerator: 'AllowGenerateMac',
  macVerifier: 'AllowVerifyMac',
  deriver: 'AllowDeriveSharedSecret',
  publicKeyReader: 'AllowGetPublicKey',
  describe: 'AllowKeyUsersToDescribeKey',
  grants: 'AllowGrantsForAwsResourcesOnly',
  denyEncrypt: 'DenyEncryptToUnlistedPrincipals',
  denySign: 'DenySignToUnlistedPrincipals',
  denyGenerateMac: 'DenyGenerateMacToUnlistedPrincipals',
  denyDeriveSharedSecret: 'DenyDeriveSharedSecretToUnlistedPrincipals',
  denyDecrypt: 'DenyDecryptToUnlistedPrincipals',
  denyGrants: 'DenyGrantsToUnlistedPrincipals',
  denyManagement: 'DenyManagementToUnlistedPrincipals',
  denyDeployersOutsideServices: 'DenyDeployersEncryptOutsideServices',
  denyDeployersOwnGrants: 'DenyDeployersGrantsNotForAwsResources',
} as const;

/** The actions each role holds. */
export function actionsFor(role: KeyRole, options: Pick<KeyPolicyModelOptions, 'allowAdminsToChangePolicy' | 'multiRegion' | 'kind'> = {}): string[] {
  if (options.kind === 'rsa-encryption') {
    if (role === 'encryptor') return [...ASYMMETRIC_ENCRYPT_ACTIONS];
    if (role === 'decryptor') return [...ASYMMETRIC_DECRYPT_ACTIONS];
    if (role === 'user') return [...ASYMMETRIC_DECRYPT_ACTIONS, ...ASYMMETRIC_ENCRYPT_ACTIONS];
  }
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
    case 'signer': return [...SIGN_ACTIONS];
    case 'verifier': return [...VERIFY_ACTIONS];
    case 'macGenerator': return [...GENERATE_MAC_ACTIONS];
    case 'macVerifier': return [...VERIFY_MAC_ACTIONS];
    case 'deriver': return [...DERIVE_SHARED_SECRET_ACTIONS];
    case 'publicKeyReader': return [...PUBLIC_KEY_ACTIONS];
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
  private readonly replicaDeployers: iam.IPrincipal[] = [];
  /** Counts the changes to the model, so a rendering can be reused while it is still the model's. */
  private changes = 0;
  /** The primary's last rendering, and the model it was rendered from. */
  private rendered?: { readonly changes: number; readonly region: string; readonly document: iam.PolicyDocument };

  constructor(private readonly scope: IConstruct, public readonly options: KeyPolicyModelOptions) {}

  /** Adds a principal in a role; returns false when it already held exactly that role. */
  public add(role: KeyRole, principal: iam.IPrincipal, through: GrantedThrough = 'key-policy', onlyIn?: string): boolean {
    const id = principalIdentity(this.scope, principal);
    const same = (m: Member) => m.role === role && m.through === through && m.onlyIn === onlyIn && principalIdentity(this.scope, m.principal) === id;
    if (this.members.some(same)) return false;
    this.members.push({ principal, role, through, onlyIn });
    this.changes++;
    return true;
  }

  /** The members rendered in the policy of `region` (a replica's own members only in its region). */
  private membersIn(region: string): Member[] {
    return this.members.filter(m => m.onlyIn === undefined || m.onlyIn === region);
  }

  /** The roles a principal holds (in the key policy or through IAM grants). */
  public rolesOf(principal: iam.IPrincipal): KeyRole[] {
    const id = principalIdentity(this.scope, principal);
    return [...new Set(this.members.filter(m => principalIdentity(this.scope, m.principal) === id).map(m => m.role))];
  }

  /** Principals holding a role, optionally only those written into the key policy. */
  public principals(role: KeyRole, through?: GrantedThrough, region?: string): iam.IPrincipal[] {
    const members = region === undefined ? this.members : this.membersIn(region);
    return members.filter(m => m.role === role && (through === undefined || m.through === through)).map(m => m.principal);
  }

  /** All members, for validation and the access matrix. */
  public allMembers(): ReadonlyArray<{ principal: iam.IPrincipal; role: KeyRole; through: GrantedThrough }> {
    return this.members;
  }

  /** A statement from another construct (`addToResourcePolicy`), kept after the model's own. */
  public addStatement(statement: iam.PolicyStatement): void {
    this.extraStatements.push(statement);
    this.changes++;
  }

  /** The kind of key the model renders a policy for. */
  public get kind(): KeyKind {
    return this.options.kind ?? 'symmetric';
  }

  /** Conditions on cryptographic use for the given region (encryption context only for symmetric keys). */
  public useConditions(region: string = cdkCore().Aws.REGION): Conditions {
    return this.kind === 'symmetric' ? useConditions(this.options, region) : callerConditions(this.options, region);
  }

  /** Conditions on context-free use (DescribeKey, grants) for the given region. */
  public callerConditions(region: string = cdkCore().Aws.REGION): Conditions {
    return callerConditions(this.options, region);
  }

  /**
   * Renders the key policy for a region: the primary's by default, or a replica's, which names its own
   * region in ViaService values, keeps its own extra statements and its own deployers.
   */
  public render(region: string = cdkCore().Stack.of(this.scope).region, replica?: ReplicaRendering): iam.PolicyDocument {
    if (replica) return this.renderFresh(region, replica);
    // The primary's policy is rendered twice per synthesis (the size validation, then the template): the second
    // time is the first document again unless a member or statement was added since.
    if (this.rendered?.changes !== this.changes || this.rendered.region !== region) {
      this.rendered = { changes: this.changes, region, document: this.renderFresh(region) };
    }
    return this.rendered.document;
  }

  private renderFresh(region: string, replica?: ReplicaRendering): iam.PolicyDocument {
    const statements: iam.PolicyStatement[] = [];
    const inPolicy = (role: KeyRole) => this.principals(role, 'key-policy', region);

    statements.push(new (iamClasses().PolicyStatement)({
      sid: STATEMENT_SIDS.root,
      principals: [accountRoot()],
      actions: ['kms:*'],
      resources: ['*'],
    }));

    const admins = inPolicy('admin');
    if (admins.length) {
      statements.push(allow(STATEMENT_SIDS.admin, admins, actionsFor('admin', this.options)));
    }

    const use = this.useConditions(region);
    for (const role of USE_ROLES) {
      const { local, byAccount } = this.partitionByAccount(inPolicy(role));
      if (local.length) statements.push(allow(STATEMENT_SIDS[role], local, actionsFor(role, this.options), use));
      for (const [account, principals] of byAccount) {
        statements.push(allow(`${STATEMENT_SIDS[role]}FromAccount${account}`, principals, actionsFor(role, this.options),
          withCallerAccount(use, account)));
      }
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

    if (this.options.strict) {
      statements.push(...this.strictDenies(region, replica?.deployers ?? this.options.deployers, replica ? [] : this.replicaDeployers));
    }
    statements.push(...(replica ? replica.extraStatements : this.extraStatements));
    return new (iamClasses().PolicyDocument)({ statements });
  }

  /** The account of a principal when it differs from the key's (both must be concrete). */
  public foreignAccountOf(principal: iam.IPrincipal): string | undefined {
    const account = accountOfPrincipal(principal);
    const mine = cdkCore().Stack.of(this.scope).account;
    if (account === undefined || cdkCore().Token.isUnresolved(account) || cdkCore().Token.isUnresolved(mine) || account === mine) return undefined;
    return account;
  }

  /**
   * Principals of other accounts go into a statement per account with `kms:CallerAccount`, so both sides
   * must allow. A principal whose ARN is a token (a role defined in another account's stack) is named by
   * its account: referencing it would be a cross-environment reference, and that account's IAM policy
   * (which the key's grant methods write) picks the role.
   */
  private partitionByAccount(principals: iam.IPrincipal[]): { local: iam.IPrincipal[]; byAccount: Map<string, iam.IPrincipal[]> } {
    const local: iam.IPrincipal[] = [];
    const byAccount = new Map<string, iam.IPrincipal[]>();
    for (const principal of principals) {
      const account = this.foreignAccountOf(principal);
      if (!account) {
        local.push(principal);
        continue;
      }
      const arn = principalArnPattern(principal);
      const named = arn !== undefined && !cdkCore().Token.isUnresolved(arn) ? principal : new (iamClasses().AccountPrincipal)(account);
      const group = byAccount.get(account) ?? [];
      if (!group.some(p => principalIdentity(this.scope, p) === principalIdentity(this.scope, named))) group.push(named);
      byAccount.set(account, group);
    }
    return { local, byAccount };
  }

  /**
   * Strict mode: explicit denies to everyone but the root user and the listed principals, so that an IAM
   * policy granting `kms:*` cannot reach past the key policy.
   *
   * - The deployment role (CloudFormation's execution role) keeps management, and may make the calls services make
   *   on its behalf while they create resources: encrypt-side calls only through a service (`kms:ViaService` set),
   *   grants only for AWS resources (`kms:GrantIsForAWSResource`). Replica regions' deployment roles keep management
   *   of the primary, since CloudFormation in the replica's region calls `kms:ReplicateKey` on it.
   * - AWS service principals calling as themselves (`aws:PrincipalIsAWSService`) are outside the denies: they have no
   *   `aws:PrincipalArn` to list, and they reach the key only through a key policy statement that names them (with
   *   source conditions, see `allowServicePrincipal`) or a grant a listed user made for an AWS resource.
   */
  private strictDenies(
    region: string, deployerPrincipals: iam.IPrincipal[] = [], replicaDeployers: iam.IPrincipal[] = [],
  ): iam.PolicyStatement[] {
    const root = `arn:${cdkCore().Aws.PARTITION}:iam::${cdkCore().Aws.ACCOUNT_ID}:root`;
    const members = this.membersIn(region);
    const of = (...roles: KeyRole[]) => [root, ...members.filter(m => roles.includes(m.role)).map(m => principalArnPattern(m.principal)!)];
    const deployers = deployerPrincipals.map(p => principalArnPattern(p)!);
    const symmetricLike = this.kind === 'symmetric' || this.kind === 'rsa-encryption';
    const denies = this.kind === 'signing'
      ? [deny(STATEMENT_SIDS.denySign, SIGN_ACTIONS, of('signer'))]
      : this.kind === 'hmac'
        ? [deny(STATEMENT_SIDS.denyGenerateMac, GENERATE_MAC_ACTIONS, of('macGenerator'))]
        : this.kind === 'key-agreement'
          ? [deny(STATEMENT_SIDS.denyDeriveSharedSecret, ['kms:DeriveSharedSecret'], of('deriver'))]
          : [
            deny(STATEMENT_SIDS.denyEncrypt, ALL_ENCRYPT_SIDE_ACTIONS, [...of('user', 'encryptor'), ...deployers]),
            deny(STATEMENT_SIDS.denyDecrypt, ALL_DECRYPT_SIDE_ACTIONS, of('user', 'decryptor')),
          ];
    const deployerLimits = symmetricLike && deployers.length ? [
      denyTo(STATEMENT_SIDS.denyDeployersOutsideServices, ALL_ENCRYPT_SIDE_ACTIONS, deployers, { Null: { 'kms:ViaService': 'true' } }),
      denyTo(STATEMENT_SIDS.denyDeployersOwnGrants, ['kms:CreateGrant'], deployers, { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } }),
    ] : [];
    return [
      ...denies,
      deny(STATEMENT_SIDS.denyGrants, ['kms:CreateGrant'], [...of(...USE_ROLES), ...(symmetricLike ? deployers : [])]),
      deny(STATEMENT_SIDS.denyManagement, ALL_MANAGEMENT_ACTIONS, [...of('admin'), ...deployers, ...replicaDeployers.map(p => principalArnPattern(p)!)]),
      ...deployerLimits,
    ];
  }

  /**
   * Registers the deployment role of a replica's region: it calls `kms:ReplicateKey` on this primary.
   */
  public addReplicaDeployers(principals: iam.IPrincipal[]): void {
    this.replicaDeployers.push(...principals);
    this.changes++;
  }
}

/**
 * The account root, one principal for every key policy: it resolves to the root of the stack it is rendered in, and a
 * new one per rendering registered a new token for each of the app's keys.
 */
function accountRoot(): iam.AccountRootPrincipal {
  return ACCOUNT_ROOT.principal ??= new (iamClasses().AccountRootPrincipal)();
}
const ACCOUNT_ROOT: { principal?: iam.AccountRootPrincipal } = {};

function allow(sid: string, principals: iam.IPrincipal[], actions: string[], conditions?: Conditions): iam.PolicyStatement {
  return new (iamClasses().PolicyStatement)({
    sid,
    principals,
    actions,
    resources: ['*'],
    conditions: conditions && Object.keys(conditions).length ? conditions : undefined,
  });
}

function deny(sid: string, actions: string[], exceptArns: string[]): iam.PolicyStatement {
  return new (iamClasses().PolicyStatement)({
    sid,
    effect: iamClasses().Effect.DENY,
    principals: [new (iamClasses().AnyPrincipal)()],
    actions,
    resources: ['*'],
    conditions: {
      ArnNotLike: { 'aws:PrincipalArn': dedupe(exceptArns) },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}

function denyTo(sid: string, actions: string[], arns: string[], conditions: Conditions): iam.PolicyStatement {
  return new (iamClasses().PolicyStatement)({
    sid,
    effect: iamClasses().Effect.DENY,
    principals: [new (iamClasses().AnyPrincipal)()],
    actions,
    resources: ['*'],
    conditions: { ArnLike: { 'aws:PrincipalArn': dedupe(arns) }, ...conditions },
  });
}

function withCallerAccount(conditions: Conditions, account: string): Conditions {
  const stringEquals = { ...(conditions.StringEquals ?? {}), 'kms:CallerAccount': account };
  return { ...conditions, StringEquals: stringEquals };
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
