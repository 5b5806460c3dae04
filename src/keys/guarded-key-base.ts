import { Duration, Lazy, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { normalizeAliasName } from './alias-name';
import { GuardedKeyCommonProps } from './common-props';
import { defaultDeployers } from './deployers';
import { KeyGrantWriter } from './key-grants';
import { AllowServicePrincipalOptions } from './service-principal-access';
import { commonPropProblems } from './validate-props';
import { KeyKind, KeyPolicyModel, KeyRole, ROLE_PROP } from '../policy/key-policy-model';
import { isUnnarrowed } from '../policy/narrowing';
import { policySizeProblem } from '../policy/policy-size';
import { validationError, validationErrorFor } from '../private/errors';

/**
 * What every guarded key shares: the policy model, the separation of admins and users, narrowing,
 * strict mode, grants that keep both, and synth-time validation. Subclasses choose the key spec and
 * which use roles exist.
 *
 * Imported keys are not guarded: `fromKeyArn`, `fromLookup` and `fromCfnKey` (inherited from `kms.Key`) return a
 * plain `IKey`. Its policy lives elsewhere, so nothing here can keep admins and users apart, narrow use or add
 * strict denies; its `grant*` methods write unnarrowed IAM statements only, as aws-cdk-lib's do. Guard such keys
 * where they are defined (a GuardedKey in their own stack), or check their templates with `KeyGuard`.
 *
 * @example
 * // Code that takes any guarded key kind: its grants keep admins and users apart and keep the key's narrowing.
 * function allowDecrypt(key: GuardedKeyBase, role: iam.IRole): void {
 *   key.grantDecrypt(role);
 * }
 * allowDecrypt(new GuardedKey(this, 'DataKey', { admins: [operators], viaServices: ['s3'] }), appRole);
 */
export abstract class GuardedKeyBase extends kms.Key {
  /**
   * The model the key policy is rendered from.
   * @internal
   */
  public readonly _model: KeyPolicyModel;

  /** @internal */
  protected readonly _grants: KeyGrantWriter;

  /**
   * Whether strict-mode deployers were given (else each region's deployment role is used).
   * @internal
   */
  public readonly _deployersGiven: boolean;

  private readonly aliasNames: string[] = [];

  protected constructor(scope: Construct, id: string, props: GuardedKeyCommonProps, keyProps: kms.KeyProps) {
    super(scope, id, baseKeyProps(scope, id, props, keyProps));
    this._deployersGiven = props.deployers !== undefined;

    this._model = new KeyPolicyModel(this, {
      kind: kindOf(keyProps),
      viaServices: props.viaServices,
      callerAccounts: props.callerAccounts,
      requiredEncryptionContext: (props as { requiredEncryptionContext?: Record<string, string> }).requiredEncryptionContext,
      allowGrantsForAwsResources: props.allowGrantsForAwsResources,
      strict: props.strict,
      deployers: props.strict ? props.deployers ?? defaultDeployers(this) : props.deployers,
      allowAdminsToChangePolicy: props.allowAdminsToChangePolicy,
      multiRegion: props.multiRegion,
    });
    this._grants = new KeyGrantWriter({
      scope: this,
      model: this._model,
      keyArn: this.keyArn,
      region: this.stack.region,
      aliases: () => this.aliasNames,
      addKeyPolicyStatement: statement => this._model.addStatement(statement),
    });
    this._grants.installGrantsObject(this);
    this._addMembers('admin', props.admins);

    // The L2 renders its own policy document; the key policy is ours, rendered from the model at synth.
    const resource = this.node.defaultChild as kms.CfnKey;
    resource.keyPolicy = Lazy.any({ produce: () => this._model.render() });

    for (const alias of props.aliases ?? []) this.addAlias(alias);
    for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(this).add(key, value);
    this.node.addValidation({ validate: () => this.policyProblems() });
  }

  /** Defines an alias for the key (`alias/` added when missing). */
  public addAlias(aliasName: string): kms.Alias {
    const name = normalizeAliasName(aliasName);
    this.aliasNames?.push(name);
    return super.addAlias(name);
  }

  /** Grants management without use (see `admins`). Refused for a principal that uses the key. */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'admin');
  }

  /** Grants encrypt-only use, narrowed like the key's users. Refused for an admin, and on keys that cannot encrypt. */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'encryptor');
  }

  /** Grants decrypt-only use, narrowed like the key's users. Refused for an admin, and on keys that cannot decrypt. */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'decryptor');
  }

  /** Grants both directions of use, narrowed like the key's users. Refused for an admin. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'user');
  }

  /** Grants signing (`kms:Sign`). Only on signing keys; refused for an admin. */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'signer');
  }

  /** Grants verifying (`kms:Verify`, `kms:GetPublicKey`). Only on signing keys; refused for an admin. */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'verifier');
  }

  /** Grants signing and verifying. Only on signing keys; refused for an admin. */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantSign(grantee).combine(this.grantVerify(grantee));
  }

  /** Grants MAC generation (`kms:GenerateMac`). Only on HMAC keys; refused for an admin. */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'macGenerator');
  }

  /** Grants MAC verification (`kms:VerifyMac`). Only on HMAC keys; refused for an admin. */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'macVerifier');
  }

  /** Grants deriving shared secrets (`kms:DeriveSharedSecret`, `kms:GetPublicKey`). Only on key-agreement keys; refused for an admin. */
  public grantDeriveSharedSecret(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantRole(grantee, 'deriver');
  }

  /**
   * Grants arbitrary actions, as other constructs call it (`bucket.grantRead` calls `key.grant(grantee,
   * 'kms:Decrypt')`). Cryptographic actions are narrowed like the key's users and refused for admins.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    if (!this._grants) return super.grant(grantee, ...actions); // during kms.Key's constructor
    return this._grants.grantActions(grantee, actions);
  }

  /**
   * Adds a statement to the key policy, checked like the props: no `Principal: *` without a condition that
   * narrows the caller, no Allow with `NotPrincipal`, no principal that both manages and uses the key.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    if (!this._model) return super.addToResourcePolicy(statement, allowNoOp); // during kms.Key's constructor
    this._grants.addResourceStatement(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * Lets an AWS service use the key as its own service principal, with the conditions its documentation gives:
   * `logs` (CloudWatch Logs, narrowed by `kms:EncryptionContext:aws:logs:arn`), `sns`, `events`, `cloudtrail` and
   * `s3-logging` (narrowed by `aws:SourceAccount`, and `aws:SourceArn` when `sourceArns` are given).
   */
  public allowServicePrincipal(service: string, options: AllowServicePrincipalOptions = {}): void {
    this._grants.allowServicePrincipal(service, options);
  }

  /** The roles a principal holds on the key, from props and grants (`admin`, `user`, `signer`, ...). */
  public rolesOf(principal: iam.IPrincipal): string[] {
    return this._model.rolesOf(principal);
  }

  /**
   * Registers the principals of one role's prop.
   * @internal
   */
  protected _addMembers(role: KeyRole, principals: iam.IPrincipal[] | undefined): void {
    for (const principal of principals ?? []) {
      if (role !== 'admin' && principal instanceof iam.AnyPrincipal && isUnnarrowed(this._model.options)) {
        throw validationError(this, `'${ROLE_PROP[role]}' contains Principal '*' without a narrowing condition: set 'callerAccounts' or 'viaServices'`);
      }
      this._grants.addMember(role, principal);
    }
  }

  private policyProblems(): string[] {
    const problem = policySizeProblem(this, this._model.render());
    return problem ? [problem] : [];
  }
}

/** Validates the common props (before the L1 exists) and completes the subclass's key props. */
function baseKeyProps(scope: Construct, id: string, props: GuardedKeyCommonProps, keyProps: kms.KeyProps): kms.KeyProps {
  const problems = commonPropProblems(props);
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));
  return {
    ...keyProps,
    description: props.description,
    pendingWindow: props.pendingWindow ?? Duration.days(30),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    multiRegion: props.multiRegion,
    // A throwaway document: the key policy is rendered from the model (see the constructor).
    policy: new iam.PolicyDocument(),
  };
}

function kindOf(keyProps: kms.KeyProps): KeyKind {
  if (keyProps.keyUsage === kms.KeyUsage.SIGN_VERIFY) return 'signing';
  if (keyProps.keyUsage === kms.KeyUsage.GENERATE_VERIFY_MAC) return 'hmac';
  if (keyProps.keyUsage === kms.KeyUsage.KEY_AGREEMENT) return 'key-agreement';
  if (keyProps.keySpec && keyProps.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) return 'rsa-encryption';
  return 'symmetric';
}
