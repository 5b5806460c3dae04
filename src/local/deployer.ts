import { KMSClient } from '@aws-sdk/client-kms';
import { LocalDeploymentError, OPERATION_TAG, ResourceAction } from './deployment-error';
import { ADMINISTRATOR_ACCESS, executionRoleArn } from './execution-role';
import { NO_VALUE, ResolutionScope, resolveValue, stackOutputReference } from './intrinsics';
import { deploymentOrder } from './order';
import { ensurePrincipal, PrincipalDraft, PrincipalRegistry, principalsOfStack } from './principals';
import { handlerOf, PhysicalResource, ResourceContext, ResourceHandler } from './resources';
import { accessKeyIdOf } from './resources/iam';
import { placeholderAttribute } from './resources/unmodeled';
import { CfnResource, StackSource } from './source';
import { StackHook, STACK_HOOKS } from './stack-hooks';
import { asStackState, sameJson, StackState, StoredResource } from './stack-state';
import { NamedPolicy, PolicyDocumentJson } from '../emulator/authz/types';
import { PrincipalConfig } from '../emulator/config';
import { kmsClientFor } from '../emulator/kms-client';

/** What the deployer needs of an emulator: principals and stack state (a RunningEmulator, or the admin API). */
export interface DeployerTarget extends PrincipalRegistry {
  readonly endpoint: string;
  stackState(account: string, region: string, stackName: string): unknown | Promise<unknown>;
  putStackState(account: string, region: string, stackName: string, state: unknown): void | Promise<void>;
}

export interface DeployerOptions {
  readonly account?: string;
  readonly region?: string;
  readonly roleArn?: string;
  readonly qualifier?: string;
  readonly executionRolePolicies?: PolicyDocumentJson[];
  /** Run for each stack once its resources are deployed. @default STACK_HOOKS */
  readonly hooks?: readonly StackHook[];
}

/** A resource this deployment changed (what a rollback undoes). */
interface Change {
  readonly logicalId: string;
  readonly change: 'created' | 'updated';
  readonly now: StoredResource;
  readonly before?: StoredResource;
}

/** One stack as this deployment left it. */
export interface DeployedStackRecord {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly executionRole: PrincipalConfig;
  readonly resources: Record<string, StoredResource>;
  readonly principals: Array<PrincipalDraft & { credentials: PrincipalConfig }>;
}

/**
 * Deploys stacks as CloudFormation does: as the stack's execution role, in dependency order, and — against the
 * state the emulator keeps of the stack — as an update: unchanged resources are left alone, changed ones updated
 * in place or replaced, removed ones deleted (or retained), each by its handler in `resources/`.
 */
export class Deployer {
  public readonly stacks: DeployedStackRecord[] = [];
  private readonly outputs = new Map<string, Record<string, unknown>>();
  private readonly exports = new Map<string, unknown>();
  private readonly crossRegionParameters = new Map<string, unknown>();
  private readonly executionRoles = new Map<string, PrincipalConfig>();
  private readonly clients = new Map<string, KMSClient>();
  /** ARNs registered in this run: a replaced resource's cleanup must not forget a principal just made again. */
  private readonly registered = new Set<string>();

  constructor(private readonly target: DeployerTarget, private readonly options: DeployerOptions) {}

  public async deployStack(stack: StackSource): Promise<void> {
    const account = stack.account ?? this.options.account ?? '111122223333';
    const region = stack.region ?? this.options.region ?? 'us-east-1';
    const role = await this.executionRole(executionRoleArn(stack, { account, region }, this.options));
    const previous = asStackState(await this.target.stackState(account, region, stack.name));
    await this.fetchReferencedOutputs(stack, account, region);

    const template = stack.template.Resources ?? {};
    const resources: Record<string, StoredResource> = {};
    const replaced: Array<[string, StoredResource]> = [];
    const conditions = new Map<string, boolean>();
    const scope = this.scope(stack, account, region, resources, conditions);
    const context = (logicalId: string, type: string, properties: Record<string, any>): ResourceContext => ({
      stackName: stack.name,
      logicalId,
      type,
      account,
      region,
      properties,
      kms: (r = region) => this.client(role, r),
      crossRegionParameters: this.crossRegionParameters,
      removePrincipal: async arn => {
        if (!this.registered.has(arn)) await this.target.removePrincipal(accessKeyIdOf(arn));
      },
    });

    const changes: Change[] = [];
    try {
      for (const logicalId of deploymentOrder(template)) {
        const resource = template[logicalId];
        if (resource.Condition && !scope.condition(resource.Condition)) continue;
        const properties = (resolveValue(resource.Properties ?? {}, scope, `${stack.name}/${logicalId}`) ?? {}) as Record<string, any>;
        const { handler } = handlerOf(resource.Type);
        const ctx = context(logicalId, resource.Type, properties);
        const before = previous.resources[logicalId];
        const { physical, change } = await this.apply(handler, ctx, before, role.arn);
        resources[logicalId] = stored(resource, properties, physical);
        if (change === 'created' && before) replaced.push([logicalId, before]);
        if (change !== 'none') changes.push({ logicalId, change, now: resources[logicalId], before });
      }
      const created = changes.filter(c => c.change === 'created').map(c => c.logicalId);
      for (const hook of this.options.hooks ?? STACK_HOOKS) {
        const kms = (r = region) => this.client(role, r);
        await hook({ stackName: stack.name, account, region, executionRoleArn: role.arn, resources, created, kms });
      }
    } catch (err) {
      // As CloudFormation: undo this deployment's changes, newest first, and leave the stack as it was.
      const failures = await this.rollBack(changes, context, role.arn);
      const isUpdate = Object.keys(previous.resources).length > 0;
      const status = `${isUpdate ? 'UPDATE_' : ''}ROLLBACK_${failures.length ? 'FAILED' : 'COMPLETE'}`;
      if (err instanceof LocalDeploymentError) err.stackStatus = status;
      // A failed rollback keeps what still exists, so a later deployment continues from it.
      const kept = failures.length ? { ...previous, resources: { ...previous.resources, ...resources } } : previous;
      await this.saveState(account, region, stack.name, kept);
      if (failures.length && err instanceof Error) err.message += ` (${status}: ${failures.join('; ')})`;
      throw err;
    }

    const principals = [];
    for (const draft of principalsOfStack(stack.name, account, region, resources)) {
      const credentials = await ensurePrincipal(this.target, draft.arn, draft.identityPolicies);
      this.registered.add(draft.arn);
      principals.push({ ...draft, credentials });
    }
    const { outputs, exports } = this.stackOutputs(stack, scope);

    // Cleanup, as CloudFormation's last phase: replaced resources and resources gone from the template, newest first.
    const order = Object.keys(previous.resources);
    const removed = Object.entries(previous.resources).filter(([id]) => !(id in resources));
    const cleanup = [...replaced, ...removed].sort(([a], [b]) => order.indexOf(b) - order.indexOf(a));
    try {
      for (const [logicalId, old] of cleanup) {
        const isReplacement = logicalId in resources;
        const policy = isReplacement ? resources[logicalId].updateReplacePolicy ?? old.updateReplacePolicy : old.deletionPolicy;
        if (policy === 'Retain' || policy === 'RetainExceptOnCreate') continue;
        const { handler } = handlerOf(old.type);
        if (!handler.delete) continue;
        const ctx = context(logicalId, old.type, old.properties as Record<string, any>);
        await this.act('DELETE', ctx, role.arn, () => handler.delete!(ctx, old));
      }
    } finally {
      await this.saveState(account, region, stack.name, { resources, outputs, exports });
    }
    this.stacks.push({ name: stack.name, account, region, executionRole: role, resources, principals });
  }

  /** A KMS client acting as an execution role the deployment used, in a region. */
  public client(role: PrincipalConfig, region: string): KMSClient {
    const id = `${role.accessKeyId}/${region}`;
    let client = this.clients.get(id);
    if (!client) {
      client = kmsClientFor(this.target, { region, accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey });
      // Failed calls carry their operation, so a deployment error can name the call as CloudFormation does.
      client.middlewareStack.add((next, context) => async args => {
        try {
          return await next(args);
        } catch (err) {
          if (err && typeof err === 'object') (err as Record<symbol, unknown>)[OPERATION_TAG] = String(context.commandName ?? '').replace(/Command$/, '');
          throw err;
        }
      }, { step: 'initialize', name: 'guardedKeysOperationTag' });
      this.clients.set(id, client);
    }
    return client;
  }

  public close(): void {
    this.clients.forEach(c => c.destroy());
    this.clients.clear();
  }

  /** Create, update, replace or leave alone, by comparing with the stored resource. */
  private async apply(
    handler: ResourceHandler, ctx: ResourceContext, before: StoredResource | undefined, caller: string,
  ): Promise<{ physical: PhysicalResource; change: Change['change'] | 'none' }> {
    if (before && before.type === ctx.type) {
      if (sameJson(ctx.properties, before.properties)) return { physical: handler.refresh?.(ctx, before) ?? before, change: 'none' };
      const replaces = (handler.replacedBy ?? []).some(p => !sameJson(ctx.properties[p], before.properties[p]));
      if (!replaces) {
        const physical = handler.update ? await this.act('UPDATE', ctx, caller, () => handler.update!(ctx, before)) : before;
        return { physical, change: 'updated' };
      }
    }
    return { physical: await this.act('CREATE', ctx, caller, () => handler.create(ctx)), change: 'created' };
  }

  /**
   * Undoes a failed deployment's changes, newest first: an update is updated back to the previous properties, a
   * created resource (new, or the new half of a replacement) is deleted unless its DeletionPolicy is Retain.
   * Returns what could not be undone.
   */
  private async rollBack(
    changes: Change[], context: (logicalId: string, type: string, properties: Record<string, any>) => ResourceContext, caller: string,
  ): Promise<string[]> {
    const failures: string[] = [];
    for (const { logicalId, change, now, before } of [...changes].reverse()) {
      const { handler } = handlerOf(now.type);
      try {
        if (change === 'updated' && before && handler.update) {
          const ctx = context(logicalId, now.type, before.properties as Record<string, any>);
          await this.act('UPDATE', ctx, caller, () => handler.update!(ctx, now));
        } else if (change === 'created' && now.deletionPolicy !== 'Retain' && handler.delete) {
          const ctx = context(logicalId, now.type, now.properties as Record<string, any>);
          await this.act('DELETE', ctx, caller, () => handler.delete!(ctx, now));
        }
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    return failures;
  }

  /** Runs a handler step; a failure becomes CloudFormation's resource failure naming the call and the reason. */
  private async act<T>(action: ResourceAction, ctx: ResourceContext, caller: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      const e = err as Error & { [OPERATION_TAG]?: string };
      throw new LocalDeploymentError(ctx.stackName, ctx.logicalId, ctx.type, action, e[OPERATION_TAG], caller, e.name ?? 'Error', e.message);
    }
  }

  /** The execution role as a principal: its policy is what bootstrap gives it (AdministratorAccess by default). */
  private async executionRole(arn: string): Promise<PrincipalConfig> {
    let role = this.executionRoles.get(arn);
    if (!role) {
      const policies: NamedPolicy[] = (this.options.executionRolePolicies ?? [ADMINISTRATOR_ACCESS])
        .map((document, i) => ({ name: this.options.executionRolePolicies ? `execution-policy-${i + 1}` : 'AdministratorAccess', document }));
      role = await ensurePrincipal(this.target, arn, policies);
      this.registered.add(arn);
      this.executionRoles.set(arn, role);
    }
    return role;
  }

  private scope(
    stack: StackSource, account: string, region: string, resources: Record<string, StoredResource>, conditions: Map<string, boolean>,
  ): ResolutionScope {
    const deployed = (id: string): StoredResource => {
      const found = resources[id];
      if (!found) throw new Error(`${stack.name}: reference to ${id}, which is not deployed (a parameter or a resource of another stack?)`);
      return found;
    };
    const scope: ResolutionScope = {
      stackName: stack.name,
      account,
      region,
      ref: id => deployed(id).ref,
      getAtt: (id, attribute) => {
        const resource = deployed(id);
        const found = resource.attributes[attribute];
        if (found !== undefined) return found;
        if (!handlerOf(resource.type).modeled) return placeholderAttribute(resource, attribute);
        throw new Error(`${stack.name}: ${id} has no attribute ${attribute} in a local deployment`);
      },
      importValue: name => {
        const key = `${account}/${region}/${name}`;
        if (!this.exports.has(key)) throw new Error(`${stack.name}: Fn::ImportValue ${name}: no stack deployed before exports it`);
        return this.exports.get(key);
      },
      stackOutput: ref => {
        const where = outputKey(ref, account, region);
        const outputs = this.outputs.get(where);
        if (!outputs) throw new Error(`${stack.name}: Fn::GetStackOutput: stack ${ref.stackName} is not deployed in ${where.split('/').slice(0, 2).join('/')}`);
        if (!(ref.outputName in outputs)) throw new Error(`${stack.name}: Fn::GetStackOutput: stack ${ref.stackName} has no output ${ref.outputName}`);
        return outputs[ref.outputName];
      },
      condition: name => {
        if (!conditions.has(name)) conditions.set(name, resolveValue(stack.template.Conditions?.[name], scope) === true);
        return conditions.get(name)!;
      },
    };
    return scope;
  }

  /** Outputs and exports of a deployed stack, also kept for the stacks deployed after it. */
  private stackOutputs(stack: StackSource, scope: ResolutionScope): { outputs: Record<string, unknown>; exports: Record<string, unknown> } {
    const outputs: Record<string, unknown> = {};
    const exports: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Condition && !scope.condition(output.Condition)) continue;
      const value = resolveValue(output.Value, scope, `${stack.name}/Outputs/${name}`);
      if (value === NO_VALUE) continue;
      outputs[name] = value;
      if (output.Export) {
        const exportName = String(resolveValue(output.Export.Name, scope));
        exports[exportName] = value;
        this.exports.set(`${scope.account}/${scope.region}/${exportName}`, value);
      }
    }
    this.outputs.set(`${scope.account}/${scope.region}/${stack.name}`, outputs);
    return { outputs, exports };
  }

  /**
   * `Fn::GetStackOutput` may name a stack this deployment does not include (deployed earlier, maybe by another
   * app): its outputs are read from the state the emulator keeps, before the stack's resources resolve.
   */
  private async fetchReferencedOutputs(stack: StackSource, account: string, region: string): Promise<void> {
    for (const arg of findStackOutputArguments(stack.template.Resources)) {
      let where: string;
      try {
        const pseudoOnly = resolveValue(arg, { ...PSEUDO_ONLY, stackName: stack.name, account, region });
        where = outputKey(stackOutputReference(pseudoOnly, stack.name), account, region);
      } catch {
        continue; // resolved (and reported) with the resource
      }
      if (this.outputs.has(where)) continue;
      const [a, r, name] = where.split('/');
      const state = await this.target.stackState(a, r, name);
      if (state !== undefined) this.outputs.set(where, asStackState(state).outputs);
    }
  }

  private async saveState(account: string, region: string, stackName: string, state: StackState): Promise<void> {
    await this.target.putStackState(account, region, stackName, state);
  }
}

function stored(resource: CfnResource, properties: Record<string, unknown>, physical: PhysicalResource): StoredResource {
  return {
    type: resource.Type,
    path: constructPath(resource),
    properties,
    ref: physical.ref,
    attributes: physical.attributes,
    deletionPolicy: resource.DeletionPolicy,
    updateReplacePolicy: resource.UpdateReplacePolicy,
  };
}

/** Where a referenced stack's outputs live: the account of RoleArn (else this one), the Region (else this one). */
function outputKey(ref: { stackName: string; region?: string; roleArn?: string }, account: string, region: string): string {
  const roleAccount = ref.roleArn ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(ref.roleArn)?.[1] : undefined;
  return `${roleAccount ?? account}/${ref.region ?? region}/${ref.stackName}`;
}

const PSEUDO_ONLY: Omit<ResolutionScope, 'stackName' | 'account' | 'region'> = {
  ref: id => { throw new Error(`not a pseudo parameter: ${id}`); },
  getAtt: id => { throw new Error(`not a pseudo parameter: ${id}`); },
  importValue: name => { throw new Error(`not a pseudo parameter: ${name}`); },
  stackOutput: () => { throw new Error('nested Fn::GetStackOutput'); },
  condition: name => { throw new Error(`not a pseudo parameter: ${name}`); },
};

function findStackOutputArguments(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {value.forEach(v => findStackOutputArguments(v, found));} else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::GetStackOutput') found.push(v);
      else findStackOutputArguments(v, found);
    }
  }
  return found;
}

function constructPath(resource: CfnResource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return undefined;
  return path.split('/').slice(1).filter(p => p !== 'Resource' && p !== 'Default').join('/') || undefined;
}
