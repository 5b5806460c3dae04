import { KMSClient } from '@aws-sdk/client-kms';
import { Deployer, DeployerTarget, DeployedStackRecord } from './deployer';
import { NO_VALUE } from './intrinsics';
import { stackOrder } from './order';
import { ensurePrincipal, PrincipalDraft } from './principals';
import { handlerOf } from './resources';
import { targetKeyIdOf } from './resources/kms-alias';
import { CfnTemplate, readSource } from './source';
import type { AuditEvent } from '../emulator/audit/event';
import type { UnusedAccess } from '../emulator/audit/unused';
import { PolicyDocumentJson } from '../emulator/authz/types';
import { PrincipalConfig } from '../emulator/config';
import { kmsClientFor, EmulatorClientOptions } from '../emulator/kms-client';

/**
 * Where a local deployment goes: a running emulator (in process), or one in another process through its admin API
 * (`httpDeploymentTarget`). It registers principals and keeps each stack's state between deployments.
 */
export interface DeploymentTarget extends DeployerTarget {
  /** The emulator's recent authorization decisions (a RunningEmulator has them). */
  decisions?(): ReadonlyArray<{ readonly reason: string }>;
  /** The emulator's audit trail (a RunningEmulator has it in process; `httpDeploymentTarget` reads it over the admin API). */
  auditTrail?(): readonly AuditEvent[] | Promise<readonly AuditEvent[]>;
  /** Keys never used, and statements and grants that never allowed a request (docs/audit.md). */
  unusedAccess?(): UnusedAccess | Promise<UnusedAccess>;
}

export interface LocalDeploymentOptions {
  readonly emulator: DeploymentTarget;
  /** Account of environment-agnostic stacks. @default '111122223333' */
  readonly account?: string;
  /** Region of environment-agnostic stacks. @default 'us-east-1' */
  readonly region?: string;
  /** Name of a single template's stack. @default 'Stack' */
  readonly stackName?: string;
  /**
   * The role CloudFormation acts as for every stack, as `cdk deploy --role-arn` passes one.
   * @default - each stack's `cloudFormationExecutionRoleArn` from the cloud assembly, else the bootstrap execution
   * role `cdk-<qualifier>-cfn-exec-role-<account>-<region>`
   */
  readonly roleArn?: string;
  /** The bootstrap qualifier of the default execution role. @default 'hnb659fds' */
  readonly qualifier?: string;
  /**
   * The execution role's IAM policies (`cdk bootstrap --cloudformation-execution-policies`).
   * @default - AdministratorAccess (Allow * on *)
   */
  readonly executionRolePolicies?: PolicyDocumentJson[];
}

/** A key (or replica) the deployment created. */
export interface DeployedKey {
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path below the stack, when the template has CDK path metadata. */
  readonly path?: string;
  readonly keyId: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly replica: boolean;
}

/** A role or user the deployment made a principal, with credentials for the emulator. */
export interface DeployedPrincipal extends PrincipalDraft {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Any resource of the deployment, modeled or not, with its resolved properties and physical values. */
export interface DeployedResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly type: string;
  readonly account: string;
  readonly region: string;
  /** Properties as deployed, intrinsics resolved. */
  readonly properties: Record<string, any>;
  /** The physical id (`Ref`). */
  readonly ref: string;
  /** `Fn::GetAtt` values (`Arn`, `KeyId`...). */
  readonly attributes: Record<string, unknown>;
}

/** A resource the local deployment does not model (listed, never silently dropped). */
export interface UnmodeledResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
}

/** A stack as deployed: where, and as which role. */
export interface DeployedStack {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly executionRoleArn: string;
}

/** What `deployLocally` made. */
export interface LocalDeployment {
  readonly endpoint: string;
  readonly stacks: DeployedStack[];
  readonly keys: DeployedKey[];
  readonly principals: DeployedPrincipal[];
  readonly aliases: Array<{ stack: string; aliasName: string; keyId: string; region: string; account: string }>;
  readonly resources: DeployedResource[];
  readonly unmodeled: UnmodeledResource[];
  /** A key by `Stack/LogicalId`, `Stack/construct/path`, a unique logical id or path, or an alias name (`alias/x`). */
  key(name: string): DeployedKey;
  /** A principal by `Stack/LogicalId`, `Stack/construct/path`, or a unique logical id or path. */
  principal(name: string): DeployedPrincipal;
  /** A real KMS client acting as a principal (default region: the principal's stack region). */
  clientFor(principal: string | DeployedPrincipal, options?: Omit<EmulatorClientOptions, 'accessKeyId' | 'secretAccessKey'>): KMSClient;
  /**
   * A KMS client acting as the execution role that deployed the stacks of an account and region: the caller of
   * every call CloudFormation (and a service creating a resource on its behalf) makes there.
   */
  deployerClientFor(account: string, region: string): KMSClient;
  /**
   * Clients that produce probe values for access checks (the ciphertext a Decrypt check decrypts, the signature a
   * Verify check verifies): the execution role first, then the account root as a test-harness principal for keys
   * whose policy refuses the role. The harness root is registered only when a check asks for it, and the
   * deployment itself never acts as it.
   */
  probeClientsFor(account: string, region: string): Promise<KMSClient[]>;
  /** The emulator's recent authorization decisions, to explain an access check. */
  decisions(): ReadonlyArray<{ readonly reason: string }>;
  /**
   * Every KMS request the emulator recorded (the deployment's own calls included), CloudTrail-shaped, oldest first.
   * `expect(deployment).toHaveUsedKey(...)` and `toBeKeyUsedOnlyBy(...)` read it (docs/audit.md).
   */
  auditTrail(): Promise<AuditEvent[]>;
  /**
   * The unused-access findings of the emulator so far: keys never used, Allow statements and grants that never
   * allowed a request (the local analogue of IAM Access Analyzer's; docs/audit.md).
   */
  unusedAccess(): Promise<UnusedAccess>;
  /** Closes every client the deployment made. */
  close(): void;
}

/**
 * Deploys a synthesized template or cdk.out into an emulator as CloudFormation would: each stack as its execution
 * role (never the account root), KMS keys, aliases and replicas through the real SDK, every IAM role and user as a
 * principal with credentials and its identity policies. Against an emulator that holds an earlier deployment of the
 * same stacks, it is an update (see docs/local-deployment.md).
 */
export async function deployLocally(source: string | CfnTemplate, options: LocalDeploymentOptions): Promise<LocalDeployment> {
  const deployer = new Deployer(options.emulator, options);
  try {
    for (const stack of stackOrder(readSource(source, options.stackName))) await deployer.deployStack(stack);
  } catch (err) {
    deployer.close();
    throw err;
  }
  return new DeploymentResult(options.emulator, deployer);
}

class DeploymentResult implements LocalDeployment {
  public readonly endpoint: string;
  public readonly stacks: DeployedStack[];
  public readonly keys: DeployedKey[] = [];
  public readonly principals: DeployedPrincipal[] = [];
  public readonly aliases: LocalDeployment['aliases'] = [];
  public readonly resources: DeployedResource[] = [];
  public readonly unmodeled: UnmodeledResource[] = [];
  private readonly clients: KMSClient[] = [];
  private readonly harness = new Map<string, PrincipalConfig>();

  constructor(private readonly target: DeploymentTarget, private readonly deployer: Deployer) {
    this.endpoint = target.endpoint;
    this.stacks = deployer.stacks.map(s => ({ name: s.name, account: s.account, region: s.region, executionRoleArn: s.executionRole.arn }));
    for (const stack of deployer.stacks) this.collect(stack);
  }

  public key(name: string): DeployedKey {
    const alias = this.aliases.find(a => a.aliasName === name);
    if (alias) {
      const key = this.keys.find(k => k.keyId === alias.keyId && k.region === alias.region && k.account === alias.account);
      if (key) return key;
    }
    return find(this.keys, name, 'key');
  }

  public principal(name: string): DeployedPrincipal {
    return find(this.principals, name, 'principal');
  }

  public clientFor(principal: string | DeployedPrincipal, opts: Omit<EmulatorClientOptions, 'accessKeyId' | 'secretAccessKey'> = {}): KMSClient {
    const p = typeof principal === 'string' ? this.principal(principal) : principal;
    const credentials = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
    return this.track(kmsClientFor(this.target, { region: p.region, ...opts, ...credentials }));
  }

  public deployerClientFor(account: string, region: string): KMSClient {
    const stack = this.deployer.stacks.find(s => s.account === account && s.region === region);
    if (!stack) throw new Error(`the deployment has no stack in account ${account}, region ${region} (have: ${this.stacks.map(s => `${s.name} ${s.account}/${s.region}`).join(', ')})`);
    return this.deployer.client(stack.executionRole, region);
  }

  public async probeClientsFor(account: string, region: string): Promise<KMSClient[]> {
    const clients: KMSClient[] = [];
    const stacks = this.deployer.stacks.filter(s => s.account === account);
    const stack = stacks.find(s => s.region === region) ?? stacks[0];
    if (stack) clients.push(this.deployer.client(stack.executionRole, region));
    let root = this.harness.get(account);
    if (!root) {
      root = await ensurePrincipal(this.target, `arn:aws:iam::${account}:root`, []);
      this.harness.set(account, root);
    }
    clients.push(this.track(kmsClientFor(this.target, { region, accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey })));
    return clients;
  }

  public decisions(): ReadonlyArray<{ readonly reason: string }> {
    return this.target.decisions?.() ?? [];
  }

  public async auditTrail(): Promise<AuditEvent[]> {
    if (!this.target.auditTrail) throw new Error('this deployment target keeps no audit trail (use a RunningEmulator or httpDeploymentTarget)');
    return [...await this.target.auditTrail()];
  }

  public async unusedAccess(): Promise<UnusedAccess> {
    if (!this.target.unusedAccess) throw new Error('this deployment target keeps no audit trail (use a RunningEmulator or httpDeploymentTarget)');
    return this.target.unusedAccess();
  }

  public close(): void {
    this.clients.splice(0).forEach(c => c.destroy());
    this.deployer.close();
  }

  private collect(stack: DeployedStackRecord): void {
    const { name, account, region } = stack;
    for (const [logicalId, r] of Object.entries(stack.resources)) {
      const base = { stack: name, logicalId, path: r.path, account, region };
      this.resources.push({ ...base, type: r.type, properties: r.properties, ref: r.ref, attributes: r.attributes });
      switch (r.type) {
        case 'AWS::KMS::Key':
        case 'AWS::KMS::ReplicaKey':
          this.keys.push({ ...base, keyId: String(r.attributes.KeyId), arn: String(r.attributes.Arn), replica: r.type === 'AWS::KMS::ReplicaKey' });
          break;
        case 'AWS::KMS::Alias':
          this.aliases.push({ stack: name, aliasName: r.ref, keyId: targetKeyIdOf(r.properties.TargetKeyId), region, account });
          break;
        default:
          if (!handlerOf(r.type).modeled) this.unmodeled.push({ stack: name, logicalId, type: r.type });
      }
    }
    for (const p of stack.principals) {
      const { credentials, ...draft } = p;
      this.principals.push({ ...draft, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
    }
  }

  private track(client: KMSClient): KMSClient {
    this.clients.push(client);
    return client;
  }
}

function find<T extends { stack: string; logicalId: string; path?: string }>(items: T[], name: string, what: string): T {
  const matches = items.filter(i => `${i.stack}/${i.logicalId}` === name || `${i.stack}/${i.path}` === name || i.logicalId === name || i.path === name);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new Error(`no ${what} named ${name} in the deployment (have: ${items.map(i => `${i.stack}/${i.path ?? i.logicalId}`).join(', ')})`);
  throw new Error(`${what} name ${name} is ambiguous: ${matches.map(i => `${i.stack}/${i.logicalId}`).join(', ')}; qualify it with the stack`);
}

export { NO_VALUE };
