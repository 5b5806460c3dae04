/**
 * Resolves the intrinsic functions CDK emits, against what the local deployment knows: physical ids and
 * attributes of the resources deployed so far, exports of stacks deployed before, and pseudo parameters.
 * An intrinsic it cannot resolve is an error naming the path, never a silent guess.
 * @module
 */

/** What a template's intrinsics resolve against. */
export interface ResolutionScope {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** `Ref` of a resource or parameter. */
  ref(logicalId: string): unknown;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** `Fn::ImportValue` of an export. */
  importValue(name: string): unknown;
  /**
   * `Fn::GetStackOutput` (CDK's weak cross-stack reference): an output of another stack, in `region` (default: this
   * stack's) and in the account of `roleArn` (default: this stack's).
   */
  stackOutput(reference: StackOutputReference): unknown;
  /** The value of a template condition. */
  condition(name: string): boolean;
}

/** The arguments of `Fn::GetStackOutput`, resolved. */
export interface StackOutputReference {
  readonly stackName: string;
  readonly outputName: string;
  readonly region?: string;
  readonly roleArn?: string;
}

const PSEUDO = (scope: ResolutionScope): Record<string, unknown> => ({
  'AWS::AccountId': scope.account,
  'AWS::Region': scope.region,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': scope.stackName,
  'AWS::StackId': `arn:aws:cloudformation:${scope.region}:${scope.account}:stack/${scope.stackName}/local`,
  'AWS::NotificationARNs': [],
});

/** The marker for `Ref: AWS::NoValue`: the property is removed. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves every intrinsic in a value (deeply). */
export function resolveValue(value: unknown, scope: ResolutionScope, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, scope, `${path}[${i}]`)).filter(v => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [name, arg] = entries[0];
    if (name === 'Ref' || name.startsWith('Fn::') || name === 'Condition') return intrinsic(name, arg, scope, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const resolved = resolveValue(v, scope, `${path}.${k}`);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

function intrinsic(name: string, arg: unknown, scope: ResolutionScope, path: string): unknown {
  const r = (v: unknown) => resolveValue(v, scope, `${path}/${name}`);
  switch (name) {
    case 'Ref': {
      const id = String(arg);
      if (id === 'AWS::NoValue') return NO_VALUE;
      const pseudo = PSEUDO(scope);
      return id in pseudo ? pseudo[id] : scope.ref(id);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.+)/);
      return scope.getAtt(id, String(r(attribute)));
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return (r(parts) as unknown[]).map(p => String(p)).join(separator);
    }
    case 'Fn::Sub': return sub(arg, scope, r);
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = r(list) as unknown[];
      const i = Number(r(index));
      if (!Array.isArray(items) || i < 0 || i >= items.length) throw new Error(`${path}: Fn::Select index ${i} out of range`);
      return items[i];
    }
    case 'Fn::Split': {
      const [separator, source] = arg as [string, unknown];
      return String(r(source)).split(separator);
    }
    case 'Fn::ImportValue': return scope.importValue(String(r(arg)));
    case 'Fn::GetStackOutput': return scope.stackOutput(stackOutputReference(r(arg), path));
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
      return scope.condition(condition) ? r(whenTrue) : r(whenFalse);
    }
    case 'Fn::Equals': {
      const [a, b] = arg as [unknown, unknown];
      return JSON.stringify(r(a)) === JSON.stringify(r(b));
    }
    case 'Fn::Not': return !(r((arg as unknown[])[0]) as boolean);
    case 'Fn::And': return (arg as unknown[]).every(c => r(c) === true);
    case 'Fn::Or': return (arg as unknown[]).some(c => r(c) === true);
    case 'Condition': return scope.condition(String(arg));
    case 'Fn::Base64': return Buffer.from(String(r(arg))).toString('base64');
    case 'Fn::GetAZs': return [`${scope.region}a`, `${scope.region}b`, `${scope.region}c`];
    default: throw new Error(`${path}: the intrinsic ${name} is not supported by local deployments`);
  }
}

/** Reads `{ StackName, OutputName, Region?, RoleArn? }`, refusing anything else with the path. */
export function stackOutputReference(arg: unknown, path: string): StackOutputReference {
  const value = (arg ?? {}) as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value) || typeof value.StackName !== 'string' || typeof value.OutputName !== 'string') {
    throw new Error(`${path}: Fn::GetStackOutput needs { StackName, OutputName } strings. Received: ${JSON.stringify(arg)}`);
  }
  const unknown = Object.keys(value).filter(k => !['StackName', 'OutputName', 'Region', 'RoleArn'].includes(k));
  if (unknown.length) throw new Error(`${path}: Fn::GetStackOutput does not take ${unknown.join(', ')}`);
  return {
    stackName: value.StackName,
    outputName: value.OutputName,
    region: value.Region === undefined ? undefined : String(value.Region),
    roleArn: value.RoleArn === undefined ? undefined : String(value.RoleArn),
  };
}

/** `Fn::Sub`: a string with `${Name}` / `${Resource.Attr}` / `${!Literal}`, optionally with its own variables. */
function sub(arg: unknown, scope: ResolutionScope, r: (v: unknown) => unknown): string {
  const [template, variables] = Array.isArray(arg) ? [arg[0] as string, r(arg[1] ?? {}) as Record<string, unknown>] : [arg as string, {}];
  return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return String(variables[name]);
    const pseudo = PSEUDO(scope);
    if (name in pseudo) return String(pseudo[name]);
    const dot = name.indexOf('.');
    return String(dot > 0 ? scope.getAtt(name.slice(0, dot), name.slice(dot + 1)) : scope.ref(name));
  });
}
