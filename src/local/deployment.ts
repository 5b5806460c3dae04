import { createHash, randomBytes } from 'crypto';
import {
  CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyRotationCommand, KMSClient, ReplicateKeyCommand, Tag,
} from '@aws-sdk/client-kms';
import { NO_VALUE, ResolutionScope, resolveValue } from './intrinsics';
import { deploymentOrder, stackOrder } from './order';
import { performServiceCreation } from './services/creation';
import { servicePhysical } from './services/physical';
import { CfnResource, CfnTemplate, readSource, StackSource } from './source';
import { NamedPolicy, PolicyDocumentJson } from '../emulator/authz/types';
import { PrincipalConfig } from '../emulator/config';
import { kmsClientFor, EmulatorClientOptions } from '../emulator/kms-client';

/** Where a local deployment goes: a running emulator (in process), which can register principals. */
export interface DeploymentTarget {
  readonly endpoint: string;
  /** Registers a principal (in process, or through the emulator's admin API over HTTP). */
  addPrincipal(principal: PrincipalConfig): void | Promise<void>;
  /** The emulator's recent authorization decisions (a RunningEmulator has them). */
  decisions?(): ReadonlyArray<{ readonly reason: string }>;
}

export interface LocalDeploymentOptions {
  readonly emulator: DeploymentTarget;
  /** Account of environment-agnostic stacks. @default '111122223333' */
  readonly account?: string;
  /** Region of environment-agnostic stacks. @default 'us-east-1' */
  readonly region?: string;
  /** Name of a single template's stack. @default 'Stack' */
  readonly stackName?: string;
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
export interface DeployedPrincipal {
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly identityPolicies: NamedPolicy[];
}

/** A resource the local deployment does not model (listed, never silently dropped). */
export interface UnmodeledResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
}

/** Any resource the deployment went through, with its resolved properties and physical values. */
export interface DeployedResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly type: string;
  readonly account: string;
  readonly region: string;
  /** The properties with every intrinsic resolved. */
  readonly properties: Record<string, any>;
  readonly ref: unknown;
  readonly attributes: Record<string, unknown>;
}

/** What `deployLocally` made. */
export interface LocalDeployment {
  readonly endpoint: string;
  readonly keys: DeployedKey[];
  readonly principals: DeployedPrincipal[];
  readonly aliases: Array<{ stack: string; aliasName: string; keyId: string; region: string; account: string }>;
  readonly unmodeled: UnmodeledResource[];
  /** Every resource, in deployment order (services read theirs from here). */
  readonly resources: DeployedResource[];
  /** A key by `Stack/LogicalId`, `Stack/construct/path`, a unique logical id or path, or an alias name (`alias/x`). */
  key(name: string): DeployedKey;
  /** A principal by `Stack/LogicalId`, `Stack/construct/path`, or a unique logical id or path. */
  principal(name: string): DeployedPrincipal;
  /** A real KMS client acting as a principal (default region: the principal's stack region). */
  clientFor(principal: string | DeployedPrincipal, options?: Omit<EmulatorClientOptions, 'accessKeyId' | 'secretAccessKey'>): KMSClient;
  /** A client acting as the root of an account (how the deployment itself acted). */
  rootClientFor(account: string, region: string): KMSClient;
  /** The emulator's recent authorization decisions, to explain an access check. */
  decisions(): ReadonlyArray<{ readonly reason: string }>;
  /** Closes every client the deployment made. */
  close(): void;
}


/**
 * Deploys a synthesized template or cdk.out into an emulator: KMS keys, aliases and replicas through the real
 * SDK (as each account's root, as CloudFormation's role would through the account-root statement), and every IAM
 * role and user as a principal with credentials and its identity policies.
 */
export async function deployLocally(source: string | CfnTemplate, options: LocalDeploymentOptions): Promise<LocalDeployment> {
  const deployer = new Deployer(options);
  for (const stack of stackOrder(readSource(source, options.stackName))) await deployer.deployStack(stack);
  return deployer.result();
}

interface Physical {
  ref: unknown;
  attributes: Record<string, unknown>;
}

class Deployer {
  private readonly keys: DeployedKey[] = [];
  private readonly principals: DeployedPrincipal[] = [];
  private readonly aliases: LocalDeployment['aliases'] = [];
  private readonly unmodeled: UnmodeledResource[] = [];
  private readonly resources: DeployedResource[] = [];
  private readonly exports = new Map<string, unknown>();
  /** Values CDK passes between regions through SSM parameters (cross-region references). */
  private readonly crossRegionParameters = new Map<string, unknown>();
  private readonly clients: KMSClient[] = [];
  private readonly roots = new Map<string, PrincipalConfig>();

  constructor(private readonly options: LocalDeploymentOptions) {}

  public async deployStack(stack: StackSource): Promise<void> {
    const account = stack.account ?? this.options.account ?? '111122223333';
    const region = stack.region ?? this.options.region ?? 'us-east-1';
    const resources = stack.template.Resources ?? {};
    const physical = new Map<string, Physical>();
    const pendingPrincipals = new Map<string, DeployedPrincipal & { policies: NamedPolicy[] }>();
    const conditions = new Map<string, boolean>();
    /** Managed policies of this template by ARN, for roles and users that attach them through ManagedPolicyArns. */
    const managedPolicies = new Map<string, PolicyDocumentJson>();
    const scope: ResolutionScope = {
      stackName: stack.name,
      account,
      region,
      ref: id => this.lookup(physical, stack, id).ref,
      getAtt: (id, attribute) => {
        const found = this.lookup(physical, stack, id).attributes[attribute];
        if (found === undefined) throw new Error(`${stack.name}: ${id} has no attribute ${attribute} in a local deployment`);
        return found;
      },
      importValue: name => {
        if (!this.exports.has(name)) throw new Error(`${stack.name}: Fn::ImportValue ${name}: no stack deployed before exports it`);
        return this.exports.get(name);
      },
      condition: name => {
        if (!conditions.has(name)) conditions.set(name, resolveValue(stack.template.Conditions?.[name], scope) === true);
        return conditions.get(name)!;
      },
    };
    const root = await this.rootOf(account);

    for (const logicalId of deploymentOrder(resources)) {
      const resource = resources[logicalId];
      if (resource.Condition && !scope.condition(resource.Condition)) continue;
      const properties = (resolveValue(resource.Properties ?? {}, scope, `${stack.name}/${logicalId}`) ?? {}) as Record<string, any>;
      const path = constructPath(resource);
      const kms = () => this.client(root, region);
      switch (resource.Type) {
        case 'AWS::KMS::Key': {
          const created = await kms().send(new CreateKeyCommand({
            Policy: properties.KeyPolicy === undefined ? undefined : JSON.stringify(properties.KeyPolicy),
            Description: properties.Description,
            KeySpec: properties.KeySpec,
            KeyUsage: properties.KeyUsage,
            MultiRegion: properties.MultiRegion,
            BypassPolicyLockoutSafetyCheck: properties.BypassPolicyLockoutSafetyCheck,
            Tags: tags(properties.Tags),
          }));
          const meta = created.KeyMetadata!;
          if (properties.EnableKeyRotation === true) {
            await kms().send(new EnableKeyRotationCommand({ KeyId: meta.KeyId, RotationPeriodInDays: properties.RotationPeriodInDays }));
          }
          if (properties.Enabled === false) await kms().send(new DisableKeyCommand({ KeyId: meta.KeyId }));
          this.keys.push({ stack: stack.name, logicalId, path, keyId: meta.KeyId!, arn: meta.Arn!, account, region, replica: false });
          physical.set(logicalId, { ref: meta.KeyId, attributes: { Arn: meta.Arn, KeyId: meta.KeyId } });
          break;
        }
        case 'AWS::KMS::ReplicaKey': {
          const primaryArn = String(properties.PrimaryKeyArn);
          const primaryRegion = /^arn:aws[a-z-]*:kms:([^:]+):/.exec(primaryArn)?.[1];
          if (!primaryRegion) throw new Error(`${stack.name}/${logicalId}: PrimaryKeyArn ${primaryArn} is not a key ARN`);
          const replicated = await this.client(root, primaryRegion).send(new ReplicateKeyCommand({
            KeyId: primaryArn,
            ReplicaRegion: region,
            Policy: JSON.stringify(properties.KeyPolicy),
            Description: properties.Description,
            Tags: tags(properties.Tags),
          }));
          const meta = replicated.ReplicaKeyMetadata!;
          this.keys.push({ stack: stack.name, logicalId, path, keyId: meta.KeyId!, arn: meta.Arn!, account, region, replica: true });
          physical.set(logicalId, { ref: meta.KeyId, attributes: { Arn: meta.Arn, KeyId: meta.KeyId } });
          break;
        }
        case 'AWS::KMS::Alias': {
          await kms().send(new CreateAliasCommand({ AliasName: properties.AliasName, TargetKeyId: String(properties.TargetKeyId) }));
          const key = this.keys.find(k => String(properties.TargetKeyId).endsWith(k.keyId) && k.region === region);
          const keyId = key?.keyId ?? String(properties.TargetKeyId);
          this.aliases.push({ stack: stack.name, aliasName: properties.AliasName, keyId, region, account });
          physical.set(logicalId, { ref: properties.AliasName, attributes: { AliasName: properties.AliasName } });
          break;
        }
        case 'AWS::IAM::Role':
        case 'AWS::IAM::User': {
          const kind = resource.Type === 'AWS::IAM::Role' ? 'role' : 'user';
          const name = String(properties[kind === 'role' ? 'RoleName' : 'UserName'] ?? physicalName(stack.name, logicalId));
          const arn = `arn:aws:iam::${account}:${kind}/${String(properties.Path ?? '/').replace(/^\/|\/$/g, '')}${properties.Path && properties.Path !== '/' ? '/' : ''}${name}`;
          const policies = (properties.Policies ?? []).map((p: any) => ({ name: `${logicalId}/${p.PolicyName}`, document: p.PolicyDocument as PolicyDocumentJson }));
          const accessKeyId = `AKIA${createHash('sha256').update(arn).digest('hex').slice(0, 16).toUpperCase()}`;
          pendingPrincipals.set(logicalId, {
            stack: stack.name,
            logicalId,
            path,
            arn,
            account,
            region,
            accessKeyId,
            secretAccessKey: randomBytes(20).toString('base64'),
            identityPolicies: [],
            policies,
          });
          physical.set(logicalId, { ref: name, attributes: { Arn: arn, RoleId: `AROA${accessKeyId.slice(4)}`, UserId: `AIDA${accessKeyId.slice(4)}` } });
          break;
        }
        case 'AWS::IAM::Policy':
        case 'AWS::IAM::ManagedPolicy': {
          const name = String(properties.PolicyName ?? properties.ManagedPolicyName ?? physicalName(stack.name, logicalId));
          const document = properties.PolicyDocument as PolicyDocumentJson;
          for (const holder of [...(properties.Roles ?? []), ...(properties.Users ?? [])]) {
            const principal = [...pendingPrincipals.values()].find(p => p.arn.endsWith(`/${holder}`));
            principal?.policies.push({ name, document });
          }
          const arn = `arn:aws:iam::${account}:policy/${name}`;
          const isManaged = resource.Type === 'AWS::IAM::ManagedPolicy';
          if (isManaged) managedPolicies.set(arn, document);
          physical.set(logicalId, { ref: isManaged ? arn : name, attributes: { PolicyArn: arn } });
          break;
        }
        case 'Custom::CrossRegionExportWriter': {
          for (const [parameter, value] of Object.entries(properties.WriterProps?.exports ?? {})) this.crossRegionParameters.set(parameter, value);
          physical.set(logicalId, { ref: logicalId, attributes: {} });
          break;
        }
        case 'Custom::CrossRegionExportReader': {
          const attributes: Record<string, unknown> = {};
          for (const parameter of Object.keys(properties.ReaderProps?.imports ?? {})) {
            attributes[parameter] = this.crossRegionParameters.get(parameter);
          }
          physical.set(logicalId, { ref: logicalId, attributes });
          break;
        }
        default: {
          this.unmodeled.push({ stack: stack.name, logicalId, type: resource.Type });
          physical.set(logicalId, servicePhysical(resource.Type, physicalName(stack.name, logicalId), properties, account, region)
            ?? placeholder(stack.name, logicalId, resource.Type, account, region));
        }
      }
      const { ref, attributes } = physical.get(logicalId)!;
      this.resources.push({ stack: stack.name, logicalId, path, type: resource.Type, account, region, properties, ref, attributes });
    }

    // Managed policies attached by ARN on roles and users.
    for (const [logicalId, principal] of pendingPrincipals) {
      const arns = (resolveValue(resources[logicalId].Properties?.ManagedPolicyArns ?? [], scope) as unknown[]).map(String);
      for (const arn of arns) {
        const document = managedPolicies.get(arn);
        if (document) principal.policies.push({ name: arn, document });
      }
      const { policies, ...rest } = principal;
      const deployed: DeployedPrincipal = { ...rest, identityPolicies: policies };
      this.principals.push(deployed);
      await this.options.emulator.addPrincipal({
        arn: deployed.arn, accessKeyId: deployed.accessKeyId, secretAccessKey: deployed.secretAccessKey, identityPolicies: policies,
      });
    }
    // The KMS requests services make while CloudFormation creates their resources (as the deploying role).
    await performServiceCreation(this.resources.filter(r => r.stack === stack.name), {
      target: this.options.emulator,
      deployerClientFor: (acct, rgn) => this.client(this.roots.get(acct) ?? root, rgn),
    });
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Export) this.exports.set(String(resolveValue(output.Export.Name, scope)), resolveValue(output.Value, scope, `${stack.name}/Outputs/${name}`));
    }
  }

  public result(): LocalDeployment {
    const find = <T extends { stack: string; logicalId: string; path?: string }>(items: T[], name: string, what: string): T => {
      const matches = items.filter(i => `${i.stack}/${i.logicalId}` === name || `${i.stack}/${i.path}` === name || i.logicalId === name || i.path === name);
      if (matches.length === 1) return matches[0];
      if (matches.length === 0) throw new Error(`no ${what} named ${name} in the deployment (have: ${items.map(i => `${i.stack}/${i.path ?? i.logicalId}`).join(', ')})`);
      throw new Error(`${what} name ${name} is ambiguous: ${matches.map(i => `${i.stack}/${i.logicalId}`).join(', ')}; qualify it with the stack`);
    };
    const deployment: LocalDeployment = {
      endpoint: this.options.emulator.endpoint,
      keys: this.keys,
      principals: this.principals,
      aliases: this.aliases,
      unmodeled: this.unmodeled,
      resources: this.resources,
      key: name => {
        const alias = this.aliases.find(a => a.aliasName === name);
        if (alias) return this.keys.find(k => k.keyId === alias.keyId && k.region === alias.region)!;
        return find(this.keys, name, 'key');
      },
      principal: name => find(this.principals, name, 'principal'),
      clientFor: (principal, opts = {}) => {
        const p = typeof principal === 'string' ? deployment.principal(principal) : principal;
        const credentials = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
        return this.track(kmsClientFor(this.options.emulator, { region: p.region, ...opts, ...credentials }));
      },
      rootClientFor: (account, region) => {
        const root = this.roots.get(account);
        if (!root) throw new Error(`the deployment did not act in account ${account}`);
        return this.client(root, region);
      },
      decisions: () => this.options.emulator.decisions?.() ?? [],
      close: () => this.clients.splice(0).forEach(c => c.destroy()),
    };
    return deployment;
  }

  private lookup(physical: Map<string, Physical>, stack: StackSource, id: string): Physical {
    const found = physical.get(id);
    if (!found) throw new Error(`${stack.name}: reference to ${id}, which is not deployed (a parameter or a resource of another stack?)`);
    return found;
  }

  private async rootOf(account: string): Promise<PrincipalConfig> {
    let root = this.roots.get(account);
    if (!root) {
      root = { arn: `arn:aws:iam::${account}:root`, accessKeyId: `AKIAROOT${account}`, secretAccessKey: randomBytes(20).toString('base64') };
      await this.options.emulator.addPrincipal(root);
      this.roots.set(account, root);
    }
    return root;
  }

  /** The root credentials of an account the deployment acted in. */
  public rootCredentials(account: string): PrincipalConfig | undefined {
    return this.roots.get(account);
  }

  private client(principal: PrincipalConfig, region: string): KMSClient {
    const { accessKeyId, secretAccessKey } = principal;
    return this.track(kmsClientFor(this.options.emulator, { region, accessKeyId, secretAccessKey }));
  }

  private track(client: KMSClient): KMSClient {
    this.clients.push(client);
    return client;
  }
}

function tags(value: unknown): Tag[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((t: { Key: string; Value: string }) => ({ TagKey: t.Key, TagValue: t.Value }));
}

/** CloudFormation's generated names: `<stack>-<logicalId>-<suffix>`, kept within IAM's 64 characters. */
function physicalName(stack: string, logicalId: string): string {
  const suffix = createHash('sha256').update(`${stack}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  return `${stack}-${logicalId}`.slice(0, 51) + `-${suffix}`;
}

function constructPath(resource: CfnResource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return undefined;
  return path.split('/').slice(1).filter(p => p !== 'Resource' && p !== 'Default').join('/') || undefined;
}

/** Unmodeled resources still get plausible physical values, so references to them resolve. */
function placeholder(stack: string, logicalId: string, type: string, account: string, region: string): Physical {
  const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
  const name = physicalName(stack, logicalId).toLowerCase();
  const arn = `arn:aws:${service}:${region}:${account}:${name}`;
  return { ref: name, attributes: new Proxy({}, { get: (_, attribute) => (attribute === 'Arn' ? arn : `${arn}/${String(attribute)}`) }) };
}

export { NO_VALUE };
