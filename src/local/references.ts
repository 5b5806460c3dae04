import { NO_VALUE, ResolutionScope, resolveValue, stackOutputReference, StackOutputReference } from './intrinsics';
import { handlerOf } from './resources';
import { placeholderAttribute } from './resources/unmodeled';
import { StackSource } from './source';
import { asStackState, StoredResource } from './stack-state';

/**
 * What stacks read of each other — exports (`Fn::ImportValue`) and outputs (`Fn::GetStackOutput`) — and the
 * resolution scope of one stack over its own resources, conditions and those values.
 */
export class CrossStackValues {
  /** Outputs by `account/region/stack`. */
  private readonly outputs = new Map<string, Record<string, unknown>>();
  /** Exports by `account/region/name` (exports are per account and region). */
  private readonly exports = new Map<string, unknown>();

  /** The scope a stack's intrinsics resolve in, over the resources deployed so far. */
  public scope(stack: StackSource, account: string, region: string, resources: Record<string, StoredResource>): ResolutionScope {
    const conditions = new Map<string, boolean>();
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

  /** Resolves a deployed stack's outputs and exports, and keeps them for the stacks deployed after it. */
  public record(stack: StackSource, scope: ResolutionScope): { outputs: Record<string, unknown>; exports: Record<string, unknown> } {
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
   * `Fn::GetStackOutput` may name a stack this deployment does not include (deployed earlier, maybe by another app):
   * its outputs are read from the state the emulator keeps, before the stack's resources resolve.
   */
  public async fetchReferenced(
    stack: StackSource, account: string, region: string, stackState: (account: string, region: string, name: string) => unknown,
  ): Promise<void> {
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
      const state = await stackState(a, r, name);
      if (state !== undefined) this.outputs.set(where, asStackState(state).outputs);
    }
  }
}

/** Where a referenced stack's outputs live: the account of RoleArn (else this one), the Region (else this one). */
function outputKey(ref: StackOutputReference, account: string, region: string): string {
  const roleAccount = ref.roleArn ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(ref.roleArn)?.[1] : undefined;
  return `${roleAccount ?? account}/${ref.region ?? region}/${ref.stackName}`;
}

/** Resolves pseudo parameters only (enough for a GetStackOutput's arguments before any resource exists). */
const PSEUDO_ONLY: Omit<ResolutionScope, 'stackName' | 'account' | 'region'> = {
  ref: id => { throw new Error(`not a pseudo parameter: ${id}`); },
  getAtt: id => { throw new Error(`not a pseudo parameter: ${id}`); },
  importValue: name => { throw new Error(`not a pseudo parameter: ${name}`); },
  stackOutput: () => { throw new Error('nested Fn::GetStackOutput'); },
  condition: name => { throw new Error(`not a pseudo parameter: ${name}`); },
};

function findStackOutputArguments(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    value.forEach(v => findStackOutputArguments(v, found));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::GetStackOutput') found.push(v);
      else findStackOutputArguments(v, found);
    }
  }
  return found;
}
