import { CfnResource, Duration, Lazy, RemovalPolicy, Resource, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { normalizeAliasName } from './alias-name';
import { defaultDeployers } from './deployers';
import { GuardedKeyBase } from './guarded-key-base';
import { KeyGrantWriter } from './key-grants';
import { AllowServicePrincipalOptions } from './service-principal-access';
import { commonPropProblems } from './validate-props';
import { PATTERN_METADATA } from '../guard/pattern-marker';
import { validationErrorFor } from '../private/errors';

/**
 * Properties of a {@link GuardedReplicaKey}.
 *
 * @example
 * const primary = new MultiRegionKey(this, 'DataKey', { admins: [operators], users: [appRole] });
 * const props: GuardedReplicaKeyProps = { primary, aliases: ['app/data'], pendingWindow: Duration.days(30) };
 * new GuardedReplicaKey(replicaStack, 'DataKeyReplica', props);
 */
export interface GuardedReplicaKeyProps {
  /**
   * The multi-Region primary key to replicate (`MultiRegionKey`, or any guarded key with `multiRegion`).
   * Its admins, users and narrowing are the replica's, rendered for the replica's region.
   */
  readonly primary: GuardedKeyBase;

  /**
   * Aliases in the replica's region (aliases are regional). The `alias/` prefix is added when missing.
   *
   * @default - No alias.
   */
  readonly aliases?: string[];

  /**
   * A description of the replica.
   *
   * @default - No description.
   */
  readonly description?: string;

  /**
   * How long KMS waits before deleting the replica after its resource is removed (7 to 30 days). Each replica
   * has its own; deleting a replica does not delete the primary.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the replica when it leaves its stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the replica (tags are not replicated from the primary).
   *
   * @default - No tags.
   */
  readonly tags?: { [key: string]: string };
}

/**
 * A reference to a guarded key or replica: its ARN and key ID (the shape of aws-cdk-lib's `KeyReference`).
 */
export interface GuardedKeyReference {
  /** The ARN of the key. */
  readonly keyArn: string;
  /** The key ID. */
  readonly keyId: string;
}

/**
 * A replica of a multi-Region guarded key (`AWS::KMS::ReplicaKey`), in a stack of another region of the
 * same app and account. It shares the primary's key material, key ID and rotation (set on the primary
 * only); its key policy comes from the primary's policy model rendered for its own region, so
 * `kms:ViaService` names the replica's region and admins and users are the same.
 *
 * It is an `IKey`, so constructs of its region (a bucket, a replicated secret) can use it.
 *
 * The replica's stack references the primary's ARN across regions: create it with
 * `crossRegionReferences: true`, and CDK deploys the primary's stack first.
 *
 * @resource AWS::KMS::ReplicaKey
 *
 * @example
 * // In a stack of another region (crossRegionReferences: true): the primary's admins, users and narrowing,
 * // with kms:ViaService naming the replica's region.
 * const primary = new MultiRegionKey(this, 'DataKey', { admins: [operators], users: [appRole], viaServices: ['s3'] });
 * const replica = new GuardedReplicaKey(replicaStack, 'DataKeyReplica', { primary, aliases: ['app/data'] });
 * new s3.Bucket(replicaStack, 'ReplicaBucket', { encryptionKey: replica });
 */
export class GuardedReplicaKey extends Resource implements kms.IKey {
  /** @attribute */
  public readonly keyArn: string;
  /** @attribute */
  public readonly keyId: string;
  /** The primary key this replicates. */
  public readonly primary: GuardedKeyBase;

  private readonly grantWriter: KeyGrantWriter;
  private readonly extraStatements: iam.PolicyStatement[] = [];
  private readonly aliasNames: string[] = [];

  constructor(scope: Construct, id: string, props: GuardedReplicaKeyProps) {
    super(scope, id);
    validateReplica(scope, id, props);
    this.primary = props.primary;

    const model = props.primary._model;
    const deployers = model.options.strict ? defaultDeployersIfUnset(props.primary, this) : undefined;
    // CloudFormation in this region calls kms:ReplicateKey on the primary as this region's deployment role.
    if (model.options.strict && !props.primary._deployersGiven) model.addReplicaDeployers(defaultDeployers(this, this.stack.region));
    const resource = new kms.CfnReplicaKey(this, 'Resource', {
      primaryKeyArn: props.primary.keyArn,
      description: props.description,
      pendingWindowInDays: (props.pendingWindow ?? Duration.days(30)).toDays(),
      keyPolicy: Lazy.any({ produce: () => model.render(this.stack.region, { extraStatements: this.extraStatements, deployers }) }),
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    // A replica is made from its primary's pattern: the guard's approvedPatterns judges it as the primary.
    const pattern = (props.primary.node.defaultChild as CfnResource).getMetadata(PATTERN_METADATA);
    if (pattern !== undefined) resource.addMetadata(PATTERN_METADATA, pattern);
    this.keyArn = resource.attrArn;
    this.keyId = resource.attrKeyId;

    this.grantWriter = new KeyGrantWriter({
      scope: this,
      model,
      keyArn: this.keyArn,
      region: this.stack.region,
      aliases: () => this.aliasNames,
      addKeyPolicyStatement: statement => this.extraStatements.push(statement),
      replicaRegion: this.stack.region,
    });
    this.grantWriter.installGrantsObject(this);
    for (const alias of props.aliases ?? []) this.addAlias(alias);
    for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(this).add(key, value);
  }

  /** Defines an alias for the replica in its region (`alias/` added when missing). */
  public addAlias(aliasName: string): kms.Alias {
    const name = normalizeAliasName(aliasName);
    this.aliasNames.push(name);
    return new kms.Alias(this, `Alias${name.replace(/[^A-Za-z0-9]/g, '')}`, { aliasName: name, targetKey: this });
  }

  /** A reference to the replica (aws-cdk-lib's `IKeyRef`, which newer `IKey` consumers such as `ecr.Repository` read). */
  public get keyRef(): GuardedKeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** Adds a statement to the replica's key policy only, checked as a primary's are (see `GuardedKey.addToResourcePolicy`). */
  public addToResourcePolicy(statement: iam.PolicyStatement, _allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    this.grantWriter.addResourceStatement(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * Lets an AWS service use the key as its own service principal, with the conditions its documentation gives:
   * `logs` (CloudWatch Logs, narrowed by `kms:EncryptionContext:aws:logs:arn`), `sns`, `events`, `cloudtrail` and
   * `s3-logging` (narrowed by `aws:SourceAccount`, and `aws:SourceArn` when `sourceArns` are given).
   */
  public allowServicePrincipal(service: string, options: AllowServicePrincipalOptions = {}): void {
    this.grantWriter.allowServicePrincipal(service, options);
  }

  /** Grants arbitrary actions on the replica; cryptographic ones are narrowed and refused to admins. */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.grantWriter.grantActions(grantee, actions);
  }

  /** Grants management without use on the replica. */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'admin');
  }

  /** Grants decrypt-only use of the replica, narrowed for its region. */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'decryptor');
  }

  /** Grants encrypt-only use of the replica, narrowed for its region. */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'encryptor');
  }

  /** Grants both directions of use of the replica, narrowed for its region. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'user');
  }

  /** Grants signing with the replica (signing primaries only). */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'signer');
  }

  /** Grants verifying with the replica (signing primaries only). */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'verifier');
  }

  /** Grants signing and verifying with the replica (signing primaries only). */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantSign(grantee).combine(this.grantVerify(grantee));
  }

  /** Grants MAC generation with the replica (HMAC primaries only). */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'macGenerator');
  }

  /** Grants MAC verification with the replica (HMAC primaries only). */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantWriter.grantRole(grantee, 'macVerifier');
  }
}

function validateReplica(scope: Construct, id: string, props: GuardedReplicaKeyProps): void {
  const { aliases, description, pendingWindow, tags } = props;
  const problems = commonPropProblems({ aliases, description, pendingWindow, tags });
  const primaryResource = props.primary.node.defaultChild as kms.CfnKey;
  if (primaryResource.multiRegion !== true) {
    problems.push(`'primary' must be a multi-Region key (MultiRegionKey, or 'multiRegion: true'); ${props.primary.node.path} is not`);
  }
  const here = Stack.of(scope);
  const there = Stack.of(props.primary);
  if (Token.isUnresolved(here.region) || Token.isUnresolved(there.region)) {
    problems.push("a replica and its primary need stacks with explicit regions ('env.region'): a replica's region must differ from its primary's");
  } else if (here.region === there.region) {
    problems.push(`a replica must be in another region than its primary (both are in ${here.region})`);
  }
  if (!Token.isUnresolved(here.account) && !Token.isUnresolved(there.account) && here.account !== there.account) {
    problems.push(`a replica must be in its primary's account (${there.account}); received a stack in ${here.account}`);
  }
  if ((here as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences === false) {
    problems.push(`the replica's stack ${here.stackName} must be created with 'crossRegionReferences: true' to reference its primary in ${there.region}`);
  }
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));
}

/** A strict primary's deployers were defaulted to its own region's role: the replica defaults to its region's. */
function defaultDeployersIfUnset(primary: GuardedKeyBase, replica: Construct): iam.IPrincipal[] | undefined {
  return primary._deployersGiven ? undefined : defaultDeployers(replica);
}
