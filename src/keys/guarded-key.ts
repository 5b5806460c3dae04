import { Aws, Duration, RemovalPolicy, Stack, Tags, Token, DefaultStackSynthesizer, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { aliasNameProblems, normalizeAliasName } from './alias-name';
import { KeyPolicyModel, KeyRole, USE_ROLES, actionsFor } from '../policy/key-policy-model';
import { isUnnarrowed, narrowingProblems } from '../policy/narrowing';
import { policySizeProblem } from '../policy/policy-size';
import { describePrincipal, principalArnPattern } from '../policy/principal-identity';
import { validationError, validationErrorFor } from '../private/errors';
import { DECRYPT_ACTIONS, DESCRIBE_ACTIONS, ENCRYPT_ACTIONS } from '../private/perms';

/** Rotation period bounds KMS accepts, in days. */
export const MIN_ROTATION_DAYS = 90;
export const MAX_ROTATION_DAYS = 2560;
/** Deletion waiting period bounds KMS accepts, in days. */
export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
/** KMS description limit. */
export const MAX_DESCRIPTION_LENGTH = 8192;

/**
 * Properties of a {@link GuardedKey}.
 */
export interface GuardedKeyProps {
  /**
   * A description of the key: its purpose and the data it protects.
   *
   * @default - No description.
   */
  readonly description?: string;

  /**
   * Aliases for the key. The `alias/` prefix is added when missing; names under `alias/aws/` are reserved.
   *
   * @default - No alias.
   */
  readonly aliases?: string[];

  /**
   * Principals that manage the key (enable, disable, rotate, tag, alias, schedule deletion) and never use it.
   *
   * They get no `kms:CreateGrant` (a grant would give them use), no `kms:ReEncrypt*`, never `kms:*`,
   * and no `kms:PutKeyPolicy` unless `allowAdminsToChangePolicy` is set.
   *
   * @default - No administrator besides the account root (and the IAM policies the account root statement trusts).
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * Principals that encrypt and decrypt with the key: `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`,
   * `kms:GenerateDataKey*` and `kms:DescribeKey`, narrowed by `viaServices`, `callerAccounts` and
   * `requiredEncryptionContext`.
   *
   * @default - No user in the key policy.
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Principals that only produce ciphertext: `kms:Encrypt`, `kms:GenerateDataKey`,
   * `kms:GenerateDataKeyWithoutPlaintext`, `kms:ReEncryptTo` and `kms:DescribeKey`, narrowed like `users`.
   *
   * @default - No encrypt-only principal.
   */
  readonly encryptors?: iam.IPrincipal[];

  /**
   * Principals that only recover plaintext: `kms:Decrypt`, `kms:ReEncryptFrom` and `kms:DescribeKey`,
   * narrowed like `users`.
   *
   * @default - No decrypt-only principal.
   */
  readonly decryptors?: iam.IPrincipal[];

  /**
   * AWS services through which users may use the key, as short names (`s3`, `secretsmanager`), rendered as
   * the condition `kms:ViaService` = `<service>.<region>.amazonaws.com` with the stack's region.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
   * @default - Use is not restricted to a service.
   */
  readonly viaServices?: string[];

  /**
   * Accounts whose principals may use the key (`kms:CallerAccount`).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
   * @default - Use is not restricted to an account by a condition.
   */
  readonly callerAccounts?: string[];

  /**
   * Encryption context that every cryptographic request of a user must carry: key -> required value,
   * or `*` for "present, with any value" (`kms:EncryptionContext:<key>`). `kms:DescribeKey` is not narrowed
   * by it, since it has no encryption context.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
   * @default - No encryption context is required.
   */
  readonly requiredEncryptionContext?: { [key: string]: string };

  /**
   * Let users create, list and revoke grants, but only for AWS resources (`kms:GrantIsForAWSResource`),
   * as services such as EBS and RDS need.
   *
   * @default false
   */
  readonly allowGrantsForAwsResources?: boolean;

  /**
   * Strict mode: explicit Deny statements so that, apart from the account root user, only the listed users
   * can use the key and only the listed admins (and the deployment role) can manage it, even against IAM
   * policies granting `kms:*`. Every principal in a use or admin list must then be an IAM principal
   * (role, user, ARN or account).
   *
   * @default false
   */
  readonly strict?: boolean;

  /**
   * In strict mode, the identities that deploy the stack and so must keep managing the key.
   *
   * @default - The stack synthesizer's CloudFormation execution role, when it is a `DefaultStackSynthesizer`.
   */
  readonly deployers?: iam.IPrincipal[];

  /**
   * Give admins `kms:PutKeyPolicy`. Off by default: a policy rewrite lets an admin grant themselves use, and
   * the key policy is owned by this stack's deployments.
   *
   * @default false
   */
  readonly allowAdminsToChangePolicy?: boolean;

  /**
   * How often KMS rotates the key material. Rotation is always on: there is no way to turn it off.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;

  /**
   * How long KMS waits before deleting the key after its resource is removed (7 to 30 days).
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the key.
   *
   * @default - No tags.
   */
  readonly tags?: { [key: string]: string };

  /**
   * Create a multi-Region primary key, whose replicas share its key material and ID.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default false
   */
  readonly multiRegion?: boolean;
}

/**
 * A symmetric `ENCRYPT_DECRYPT` KMS key whose defaults are the best practice: rotation always on, the
 * account-root statement always present, administrators separated from users, use narrowed by service,
 * account and encryption context, a 30-day deletion window and removal policy RETAIN.
 *
 * It is a `kms.Key`, so every construct that takes an `IKey` takes it; its grant methods keep the same
 * separation and narrowing as its props.
 *
 * @resource AWS::KMS::Key
 */
export class GuardedKey extends kms.Key {
  /** The model the key policy is rendered from. */
  private readonly policyModel: KeyPolicyModel;

  constructor(scope: Construct, id: string, props: GuardedKeyProps = {}) {
    super(scope, id, toKeyProps(scope, id, props));

    this.policyModel = new KeyPolicyModel(this, {
      viaServices: props.viaServices,
      callerAccounts: props.callerAccounts,
      requiredEncryptionContext: props.requiredEncryptionContext,
      allowGrantsForAwsResources: props.allowGrantsForAwsResources,
      strict: props.strict,
      deployers: props.strict ? props.deployers ?? defaultDeployers(this) : props.deployers,
      allowAdminsToChangePolicy: props.allowAdminsToChangePolicy,
      multiRegion: props.multiRegion,
    });
    for (const [role, principals] of rolesFromProps(props)) {
      for (const principal of principals) this.addMember(role, principal, 'key-policy');
    }

    // The L2 renders its own policy document; the key policy is ours, rendered from the model at synth.
    const resource = this.node.defaultChild as kms.CfnKey;
    resource.keyPolicy = Lazy.any({ produce: () => this.policyModel.render() });

    for (const alias of props.aliases ?? []) this.addAlias(normalizeAliasName(alias));
    for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(this).add(key, value);

    this.node.addValidation({ validate: () => this.validatePolicy() });
  }

  /**
   * Grants encrypt-only use (`kms:Encrypt`, `kms:GenerateDataKey`, `kms:GenerateDataKeyWithoutPlaintext`,
   * `kms:ReEncryptTo`, `kms:DescribeKey`), narrowed like the key's users. Refused for an admin.
   */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantRole(grantee, 'encryptor');
  }

  /**
   * Grants decrypt-only use (`kms:Decrypt`, `kms:ReEncryptFrom`, `kms:DescribeKey`), narrowed like the key's
   * users. Refused for an admin.
   */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantRole(grantee, 'decryptor');
  }

  /** Grants both directions of use, narrowed like the key's users. Refused for an admin. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantRole(grantee, 'user');
  }

  /** Grants management without use (see `admins`). Refused for a principal that uses the key. */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grantRole(grantee, 'admin');
  }

  /**
   * Grants arbitrary actions, as other constructs call it (`bucket.grantRead` calls `key.grantDecrypt`,
   * some call `key.grant(grantee, 'kms:Decrypt')`). Cryptographic actions are narrowed like the key's users
   * and refused for admins.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    if (!this.policyModel) return super.grant(grantee, ...actions); // during kms.Key's constructor
    const crypto = actions.filter(isCryptographicAction);
    if (crypto.length) this.assertMayUse(grantee.grantPrincipal, `grant(${crypto.join(', ')})`);
    const other = actions.filter(a => !isCryptographicAction(a));
    return this.addGrantStatements(grantee, crypto, other);
  }

  /**
   * Adds a statement to the key policy. Refuses `Principal: *` without a condition that narrows it.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    if (!this.policyModel) return super.addToResourcePolicy(statement, allowNoOp); // during kms.Key's constructor
    const json = statement.toStatementJson() as { Effect?: string; Principal?: unknown; Condition?: unknown };
    const isAnyPrincipal = json.Principal === '*' || (json.Principal as { AWS?: unknown })?.AWS === '*';
    if (json.Effect !== 'Deny' && isAnyPrincipal && !json.Condition) {
      throw validationError(this, 'a key policy statement allows Principal "*" without a condition; add a narrowing condition (e.g. kms:CallerAccount or kms:ViaService)');
    }
    this.policyModel.addStatement(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /** The roles this principal holds on the key (from props and grants). */
  public rolesOf(principal: iam.IPrincipal): string[] {
    return this.policyModel.rolesOf(principal);
  }

  private grantRole(grantee: iam.IGrantable, role: KeyRole): iam.Grant {
    const principal = grantee.grantPrincipal;
    if (role === 'admin') this.assertMayAdminister(principal, 'grantAdmin');
    else this.assertMayUse(principal, `grant${role === 'user' ? 'EncryptDecrypt' : role === 'encryptor' ? 'Encrypt' : 'Decrypt'}`);
    this.assertStrictCompatible(principal, role);
    this.policyModel.add(role, principal, 'iam-policy');
    if (role === 'admin') return this.addGrantStatements(grantee, [], actionsFor('admin', this.policyModel.options));
    const crypto = role === 'encryptor' ? ENCRYPT_ACTIONS : role === 'decryptor' ? DECRYPT_ACTIONS : actionsFor('user');
    return this.addGrantStatements(grantee, crypto, DESCRIBE_ACTIONS);
  }

  /**
   * Writes a grant on the grantee's IAM policy (so the key need not depend on the grantee, avoiding
   * cross-stack cycles), with the key's narrowing conditions. Principals that cannot hold a policy
   * (service or account principals), and principals of another account, are named in the key policy instead.
   */
  private addGrantStatements(grantee: iam.IGrantable, cryptoActions: string[], otherActions: string[]): iam.Grant {
    const principal = grantee.grantPrincipal;
    const parts: iam.Grant[] = [];
    const crossAccount = this.isFromAnotherAccount(principal);
    const add = (actions: string[], conditions: Record<string, Record<string, unknown>>) => {
      if (!actions.length) return;
      const hasConditions = Object.keys(conditions).length > 0;
      const onPrincipal = iam.Grant.addToPrincipal({
        grantee,
        actions,
        resourceArns: [this.keyArn],
        scope: this,
        conditions: hasConditions ? conditions : undefined,
      });
      if (onPrincipal.success && !crossAccount) {
        parts.push(onPrincipal);
        return;
      }
      const statement = new iam.PolicyStatement({
        principals: [principal],
        actions,
        resources: ['*'],
        conditions: hasConditions ? conditions : undefined,
      });
      this.policyModel.addStatement(statement);
      parts.push(onPrincipal.success ? onPrincipal : iam.Grant.drop(grantee, 'key policy statement'));
    };
    add(cryptoActions, this.policyModel.useConditions(this.stack.region));
    add(otherActions, cryptoActions.length || otherActions.some(isUseAdjacent) ? this.policyModel.callerConditions(this.stack.region) : {});
    return parts.reduce((a, b) => a.combine(b));
  }

  private isFromAnotherAccount(principal: iam.IPrincipal): boolean {
    const account = principal.principalAccount;
    const mine = this.stack.account;
    return account !== undefined && !Token.isUnresolved(account) && !Token.isUnresolved(mine) && account !== mine;
  }

  private addMember(role: KeyRole, principal: iam.IPrincipal, through: 'key-policy' | 'iam-policy'): void {
    if (role === 'admin') this.assertMayAdminister(principal, 'admins');
    else this.assertMayUse(principal, `${role}s`);
    this.assertStrictCompatible(principal, role);
    if (role !== 'admin' && principal instanceof iam.AnyPrincipal && isUnnarrowed(this.policyModel.options)) {
      throw validationError(this, `'${role}s' contains Principal '*' without a narrowing condition: set 'callerAccounts' or 'viaServices'`);
    }
    this.policyModel.add(role, principal, through);
  }

  private assertMayUse(principal: iam.IPrincipal, where: string): void {
    if (this.policyModel.rolesOf(principal).includes('admin')) {
      throw validationError(this, `${describePrincipal(this, principal)} is in 'admins' and cannot also use the key (${where}): administrators manage and never use`);
    }
  }

  private assertMayAdminister(principal: iam.IPrincipal, where: string): void {
    const uses = this.policyModel.rolesOf(principal).filter(r => r !== 'admin');
    if (uses.length) {
      throw validationError(this, `${describePrincipal(this, principal)} uses the key (${uses.map(r => `'${r}s'`).join(', ')}) and cannot also be an admin (${where}): administrators manage and never use`);
    }
  }

  private assertStrictCompatible(principal: iam.IPrincipal, role: KeyRole): void {
    if (this.policyModel.options.strict && principalArnPattern(principal) === undefined) {
      throw validationError(this, `strict mode needs IAM principals (roles, users, ARNs or accounts) in '${role}s'; ${describePrincipal(this, principal)} has no IAM ARN`);
    }
  }

  private validatePolicy(): string[] {
    const problem = policySizeProblem(this, this.policyModel.render());
    return problem ? [problem] : [];
  }
}

/** Cryptographic actions are narrowed like users and refused to admins. */
function isCryptographicAction(action: string): boolean {
  return /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|CreateGrant)/i.test(action);
}

/** DescribeKey next to a use grant is narrowed by caller conditions too. */
function isUseAdjacent(action: string): boolean {
  return /^kms:DescribeKey$/i.test(action);
}

function rolesFromProps(props: GuardedKeyProps): Array<[KeyRole, iam.IPrincipal[]]> {
  return [
    ['admin', props.admins ?? []],
    ...USE_ROLES.map(role => [role, (props as Record<string, iam.IPrincipal[] | undefined>)[`${role}s`] ?? []] as [KeyRole, iam.IPrincipal[]]),
  ];
}

function defaultDeployers(scope: Construct): iam.IPrincipal[] {
  const synthesizer = Stack.of(scope).synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer leaves CloudFormation placeholders in the ARN for its own Fn::Sub; a policy needs tokens.
    const arn = synthesizer.cloudFormationExecutionRoleArn
      .replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
      .replace(/\$\{AWS::AccountId\}/g, Aws.ACCOUNT_ID)
      .replace(/\$\{AWS::Region\}/g, Aws.REGION);
    return [new iam.ArnPrincipal(arn)];
  }
  throw validationError(scope, "strict mode needs 'deployers' (the role CloudFormation deploys with) when the stack does not use the DefaultStackSynthesizer");
}

/** Validates every prop (before the L1 exists) and maps them onto kms.Key's props. */
function toKeyProps(scope: Construct, id: string, props: GuardedKeyProps): kms.KeyProps {
  const problems: string[] = [];
  const rotationDays = wholeDays(props.rotationPeriod ?? Duration.days(365));
  const pendingDays = wholeDays(props.pendingWindow ?? Duration.days(30));
  problems.push(...daysInRange('rotationPeriod', rotationDays, MIN_ROTATION_DAYS, MAX_ROTATION_DAYS));
  problems.push(...daysInRange('pendingWindow', pendingDays, MIN_PENDING_WINDOW_DAYS, MAX_PENDING_WINDOW_DAYS));
  if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > MAX_DESCRIPTION_LENGTH) {
    problems.push(`'description' must be at most ${MAX_DESCRIPTION_LENGTH} characters. Received: ${props.description.length}`);
  }
  const aliases = (props.aliases ?? []).map(normalizeAliasName);
  for (const alias of props.aliases ?? []) problems.push(...aliasNameProblems(alias));
  const duplicate = aliases.find((a, i) => aliases.indexOf(a) !== i);
  if (duplicate) problems.push(`'aliases' lists '${duplicate}' twice`);
  problems.push(...narrowingProblems(props));
  for (const [key, value] of Object.entries(props.tags ?? {})) {
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) problems.push(`'tags' keys must be 1 to 128 characters and not start with 'aws:'. Received: '${key}'`);
    if (value.length > 256) problems.push(`'tags' values must be at most 256 characters. Received ${value.length} for '${key}'`);
  }
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));

  return {
    description: props.description,
    enableKeyRotation: true,
    rotationPeriod: props.rotationPeriod ?? Duration.days(365),
    pendingWindow: props.pendingWindow ?? Duration.days(30),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    multiRegion: props.multiRegion,
    // A throwaway document: the key policy is rendered from the model (see the constructor).
    policy: new iam.PolicyDocument(),
  };
}

/** The message for a day count outside [min, max] (built from the same constants as the check). */
function daysInRange(prop: string, days: number | undefined, min: number, max: number): string[] {
  if (days === undefined || (Number.isInteger(days) && days >= min && days <= max)) return [];
  return [`'${prop}' must be a whole number of days between ${min} and ${max}. Received: ${days} days`];
}

function wholeDays(duration: Duration): number | undefined {
  if (Token.isUnresolved(duration.toSeconds())) return undefined;
  return duration.toDays({ integral: false });
}

