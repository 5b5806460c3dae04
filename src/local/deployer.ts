import { KMSClient } from '@aws-sdk/client-kms';
import { LocalDeploymentError, OPERATION_TAG, ResourceAction } from './deployment-error';
import { ADMINISTRATOR_ACCESS, executionRoleArn } from './execution-role';
import { ResolutionScope, resolveValue } from './intrinsics';
import { deploymentOrder } from './order';
import { ensurePrincipal, PrincipalDraft, PrincipalRegistry, principalsOfStack } from './principals';
import { CrossStackValues } from './references';
import { handlerOf, PhysicalResource, ResourceContext, ResourceHandler } from './resources';
import { accessKeyIdOf } from './resources/iam';
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

/** One stack as this deployment left it. */
export interface DeployedStackRecord {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly executionRole: PrincipalConfig;
  readonly resources: Record<string, StoredResource>;
  readonly principals: Array<PrincipalDraft & { credentials: PrincipalConfig }>;
}

/** A resource this deployment changed (what a rollback undoes). */
interface Change {
  readonly logicalId: string;
  readonly change: 'created' | 'updated';
  readonly now: StoredResource;
  readonly before?: StoredResource;
}

/** One stack's deployment in progress. */
interface StackRun {
  readonly stack: StackSource;
  readonly account: string;
  readonly region: string;
  readonly role: PrincipalConfig;
  /** The state the emulator kept of the last deployment. */
  readonly previous: StackState;
  /** The resources as this deployment leaves them, in creation order. */
  readonly resources: Record<string, StoredResource>;
  readonly scope: ResolutionScope;
  readonly changes: Change[];
  /** Replaced resources, to delete (or retain) in the cleanup phase. */
  readonly replaced: Array<[string, StoredResource]>;
}

/**
 * Deploys stacks as CloudFormation does: as the stack's execution role, in dependency order, and — against the
 * state the emulator keeps of the stack — as an update: unchanged resources are left alone, changed ones updated
 * in place or replaced, removed ones deleted (or retained), each by its handler in `resources/`; a failure rolls
 * the stack back.
 */
export class Deployer {
  public readonly stacks: DeployedStackRecord[] = [];
  private readonly values = new CrossStackValues();
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
    await this.values.fetchReferenced(stack, account, region, (a, r, n) => this.target.stackState(a, r, n));
    const resources: Record<string, StoredResource> = {};
    const run: StackRun = {
      stack, account, region, role, previous, resources, scope: this.values.scope(stack, account, region, resources), changes: [], replaced: [],
    };

    try {
      await this.createAndUpdate(run);
      await this.runHooks(run);
    } catch (err) {
      throw await this.rollBack(run, err);
    }
    const principals = [];
    for (const draft of principalsOfStack(stack.name, account, region, resources)) {
      const credentials = await ensurePrincipal(this.target, draft.arn, draft.identityPolicies);
      this.registered.add(draft.arn);
      principals.push({ ...draft, credentials });
    }
    const { outputs, exports } = this.values.record(stack, run.scope);
    try {
      await this.cleanUp(run);
    } finally {
      await this.target.putStackState(account, region, stack.name, { resources, outputs, exports });
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

  /** The resources in dependency order: each created, updated, replaced or left alone. */
  private async createAndUpdate(run: StackRun): Promise<void> {
    const template = run.stack.template.Resources ?? {};
    for (const logicalId of deploymentOrder(template)) {
      const resource = template[logicalId];
      if (resource.Condition && !run.scope.condition(resource.Condition)) continue;
      const properties = (resolveValue(resource.Properties ?? {}, run.scope, `${run.stack.name}/${logicalId}`) ?? {}) as Record<string, any>;
      const ctx = this.context(run, logicalId, resource.Type, properties);
      const before = run.previous.resources[logicalId];
      const { physical, change } = await this.apply(handlerOf(resource.Type).handler, ctx, before, run.role.arn);
      const now = stored(resource, properties, physical);
      run.resources[logicalId] = now;
      if (change === 'created' && before) run.replaced.push([logicalId, before]);
      if (change !== 'none') run.changes.push({ logicalId, change, now, before });
    }
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

  private async runHooks(run: StackRun): Promise<void> {
    const created = run.changes.filter(c => c.change === 'created').map(c => c.logicalId);
    const event = {
      stackName: run.stack.name,
      account: run.account,
      region: run.region,
      executionRoleArn: run.role.arn,
      resources: run.resources,
      created,
      kms: (r = run.region) => this.client(run.role, r),
      target: this.target,
    };
    for (const hook of this.options.hooks ?? STACK_HOOKS) await hook(event);
  }

  /** CloudFormation's last phase: replaced resources and resources gone from the template, newest first. */
  private async cleanUp(run: StackRun): Promise<void> {
    const order = Object.keys(run.previous.resources);
    const removed = Object.entries(run.previous.resources).filter(([id]) => !(id in run.resources));
    const cleanup = [...run.replaced, ...removed].sort(([a], [b]) => order.indexOf(b) - order.indexOf(a));
    for (const [logicalId, old] of cleanup) {
      const replacement = run.resources[logicalId];
      const policy = replacement ? replacement.updateReplacePolicy ?? old.updateReplacePolicy : old.deletionPolicy;
      if (policy === 'Retain' || policy === 'RetainExceptOnCreate') continue;
      const { handler } = handlerOf(old.type);
      if (!handler.delete) continue;
      const ctx = this.context(run, logicalId, old.type, old.properties as Record<string, any>);
      await this.act('DELETE', ctx, run.role.arn, () => handler.delete!(ctx, old));
    }
  }

  /**
   * As CloudFormation: undoes this deployment's changes, newest first (an update is updated back to the previous
   * properties; a created resource, new or the new half of a replacement, is deleted unless DeletionPolicy is Retain)
   * and leaves the stack state as it was. Returns the error to throw, with the stack's status.
   */
  private async rollBack(run: StackRun, err: unknown): Promise<unknown> {
    const failures: string[] = [];
    for (const { logicalId, change, now, before } of [...run.changes].reverse()) {
      const { handler } = handlerOf(now.type);
      try {
        if (change === 'updated' && before && handler.update) {
          const ctx = this.context(run, logicalId, now.type, before.properties as Record<string, any>);
          await this.act('UPDATE', ctx, run.role.arn, () => handler.update!(ctx, now));
        } else if (change === 'created' && now.deletionPolicy !== 'Retain' && handler.delete) {
          const ctx = this.context(run, logicalId, now.type, now.properties as Record<string, any>);
          await this.act('DELETE', ctx, run.role.arn, () => handler.delete!(ctx, now));
        }
      } catch (undoError) {
        failures.push((undoError as Error).message);
      }
    }
    const isUpdate = Object.keys(run.previous.resources).length > 0;
    const status = `${isUpdate ? 'UPDATE_' : ''}ROLLBACK_${failures.length ? 'FAILED' : 'COMPLETE'}`;
    if (err instanceof LocalDeploymentError) err.stackStatus = status;
    if (failures.length && err instanceof Error) err.message += ` (${status}: ${failures.join('; ')})`;
    // A failed rollback keeps what still exists, so a later deployment continues from it.
    const kept = failures.length ? { ...run.previous, resources: { ...run.previous.resources, ...run.resources } } : run.previous;
    await this.target.putStackState(run.account, run.region, run.stack.name, kept);
    return err;
  }

  private context(run: StackRun, logicalId: string, type: string, properties: Record<string, any>): ResourceContext {
    return {
      stackName: run.stack.name,
      logicalId,
      type,
      account: run.account,
      region: run.region,
      properties,
      crossRegionParameters: this.crossRegionParameters,
      kms: (r = run.region) => this.client(run.role, r),
      resources: run.resources,
      kmsAsStackRole: async (arn, r = run.region) => {
        const known = { ...run.previous.resources, ...run.resources };
        const draft = principalsOfStack(run.stack.name, run.account, run.region, known).find(d => d.arn === arn);
        if (!draft) throw new Error(`${arn} is not a role of stack ${run.stack.name}`);
        const credentials = await ensurePrincipal(this.target, arn, draft.identityPolicies);
        this.registered.add(arn);
        return this.client(credentials, r);
      },
      removePrincipal: async arn => {
        if (!this.registered.has(arn)) await this.target.removePrincipal(accessKeyIdOf(arn));
      },
    };
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
      const configured = this.options.executionRolePolicies;
      const policies: NamedPolicy[] = configured
        ? configured.map((document, i) => ({ name: `execution-policy-${i + 1}`, document }))
        : [{ name: 'AdministratorAccess', document: ADMINISTRATOR_ACCESS }];
      role = await ensurePrincipal(this.target, arn, policies);
      this.registered.add(arn);
      this.executionRoles.set(arn, role);
    }
    return role;
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

function constructPath(resource: CfnResource): string | undefined {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return undefined;
  return path.split('/').slice(1).filter(p => p !== 'Resource' && p !== 'Default').join('/') || undefined;
}
