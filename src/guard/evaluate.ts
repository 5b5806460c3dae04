/**
 * Static evaluation of a template's intrinsic functions for the guard, without deploying anything.
 *
 * What is known at review time is evaluated: `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`,
 * `Fn::If` against the template's `Conditions`, and the pseudo parameters the stack's environment fixes. What is
 * only known at deploy time stays symbolic, written the way `Fn::Sub` writes it: `Ref: AppRole` becomes
 * `${AppRole}`, `Fn::GetAtt: [AppRole, Arn]` becomes `${AppRole.Arn}`, `Ref: AWS::AccountId` becomes
 * `${AWS::AccountId}` (unless the stack's account is known). A symbolic string is still exact: `${AppRole.Arn}`
 * is that role and no other. What cannot be evaluated at all (an import from another stack, a condition on a
 * parameter nobody gave) becomes an {@link Unresolved} carrying the reason, and the rules report it as such
 * rather than guess.
 * @module
 */

/** A value the guard cannot know before deployment, with the reason. */
export class Unresolved {
  constructor(readonly reason: string) {}
}

/** What a template's intrinsics are evaluated against. */
export interface EvaluationScope {
  /** The stack's account and region, when its environment fixes them. */
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
  /** Parameter values given by the user (parameters without a value stay symbolic or unresolved). */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly template: {
    readonly Parameters?: Record<string, unknown>;
    readonly Conditions?: Record<string, unknown>;
    readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  };
}

/** The marker for `Ref: AWS::NoValue`: the property or list item is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** True when a string still holds a deploy-time placeholder (`${X}`). */
export const isSymbolic = (value: string): boolean => /\$\{[^}!][^}]*\}/.test(value);

/**
 * Evaluates every intrinsic in a value, deeply. Objects and lists keep their shape; an intrinsic that cannot be
 * evaluated becomes an {@link Unresolved} in place, so the rest of the value is still read.
 */
export function evaluate(value: unknown, scope: EvaluationScope): unknown {
  return new Evaluator(scope).value(value, new Set());
}

/** Every unresolved value inside an evaluated value, with its JSON path. */
export function unresolvedIn(value: unknown, path = ''): Array<{ path: string; reason: string }> {
  const found: Array<{ path: string; reason: string }> = [];
  collectUnresolved(value, path, [], found);
  return found;
}

/**
 * The walk of {@link unresolvedIn}: the path is kept as a list of keys and written out only for a value found, as
 * every member of every key's properties is walked at each review and almost none is unresolved.
 */
function collectUnresolved(value: unknown, base: string, keys: string[], found: Array<{ path: string; reason: string }>): void {
  if (value instanceof Unresolved) {
    const path = keys.length ? `${base}/${keys.join('/')}` : base;
    found.push({ path: path || '/', reason: value.reason });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(String(i));
      collectUnresolved(value[i], base, keys, found);
      keys.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      keys.push(key);
      collectUnresolved((value as Record<string, unknown>)[key], base, keys, found);
      keys.pop();
    }
  }
}

class Evaluator {
  constructor(private readonly scope: EvaluationScope) {}

  /**
   * A part with no intrinsic in it is returned as it is, not copied: a review evaluates every property of every key
   * and most of it (actions, Sids, literal ARNs) is plain. The guard only reads what it evaluates.
   */
  public value(value: unknown, conditionsSeen: Set<string>): unknown {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const evaluated = this.value(value[i], conditionsSeen);
        if (out === undefined && evaluated !== value[i]) out = value.slice(0, i);
        if (out !== undefined && evaluated !== NO_VALUE) out.push(evaluated);
      }
      return out ?? value;
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    const object = value as Record<string, unknown>;
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(keys[0], object[keys[0]], conditionsSeen);
    }
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const evaluated = this.value(object[keys[i]], conditionsSeen);
      if (out === undefined && evaluated !== object[keys[i]]) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = object[keys[j]];
      }
      if (out !== undefined && evaluated !== NO_VALUE) out[keys[i]] = evaluated;
    }
    return out ?? value;
  }

  private intrinsic(name: string, arg: unknown, seen: Set<string>): unknown {
    const r = (v: unknown) => this.value(v, seen);
    switch (name) {
      case 'Ref': return typeof arg === 'string' ? this.ref(arg) : new Unresolved('a Ref that does not name a string');
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? [arg[0], r(arg[1])] : typeof arg === 'string' ? arg.split(/\.(.+)/) : [];
        if (typeof id !== 'string') return new Unresolved('a malformed Fn::GetAtt');
        if (typeof attribute !== 'string') return new Unresolved(`Fn::GetAtt ${id} with a computed attribute name`);
        return `\${${id}.${attribute}}`;
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return new Unresolved('a malformed Fn::Join');
        const parts = r(arg[1]);
        if (parts instanceof Unresolved) return parts;
        if (!Array.isArray(parts)) return new Unresolved('Fn::Join over a list known only at deploy time');
        return concat(parts, arg[0]);
      }
      case 'Fn::Sub': return this.sub(arg, seen);
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return new Unresolved('a malformed Fn::Select');
        const [index, list] = [r(arg[0]), r(arg[1])];
        if (list instanceof Unresolved) return list;
        if (typeof index !== 'number' && typeof index !== 'string') return new Unresolved('Fn::Select with an index known only at deploy time');
        if (!Array.isArray(list) || Number.isNaN(Number(index))) return new Unresolved('Fn::Select over a list known only at deploy time');
        const i = Number(index);
        return i >= 0 && i < list.length ? list[i] : new Unresolved(`Fn::Select index ${i} is out of range`);
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return new Unresolved('a malformed Fn::Split');
        const source = r(arg[1]);
        if (source instanceof Unresolved) return source;
        if (typeof source !== 'string' || isSymbolic(source)) return new Unresolved('Fn::Split of a value known only at deploy time');
        return source.split(arg[0]);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (Array.isArray(arg) ? arg : []).map(r);
        if ([map, top, second].some(k => typeof k !== 'string' || isSymbolic(k))) return new Unresolved('Fn::FindInMap with a key known only at deploy time');
        const found = this.scope.template.Mappings?.[map as string]?.[top as string]?.[second as string];
        return found === undefined ? new Unresolved(`Fn::FindInMap ${map}.${top}.${second} is not in the template's Mappings`) : r(found);
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return new Unresolved('a malformed Fn::If');
        const condition = this.condition(arg[0], seen);
        if (condition instanceof Unresolved) return new Unresolved(`Fn::If on condition ${arg[0]}: ${condition.reason}`);
        return r(condition ? arg[1] : arg[2]);
      }
      case 'Condition': return typeof arg === 'string' ? this.condition(arg, seen) : new Unresolved('a malformed Condition');
      case 'Fn::Equals': {
        const [a, b] = (Array.isArray(arg) ? arg : []).map(r);
        if (a instanceof Unresolved) return a;
        if (b instanceof Unresolved) return b;
        if (hasSymbol(a) || hasSymbol(b)) return new Unresolved(`Fn::Equals compares ${JSON.stringify(a)} with ${JSON.stringify(b)}, known only at deploy time`);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not': case 'Fn::And': case 'Fn::Or': return this.logic(name, Array.isArray(arg) ? arg.map(r) : []);
      case 'Fn::ImportValue': return new Unresolved(`Fn::ImportValue ${JSON.stringify(r(arg))} is another stack's export`);
      case 'Fn::GetAZs': return new Unresolved('Fn::GetAZs is known only at deploy time');
      case 'Fn::Base64': {
        const text = r(arg);
        return typeof text === 'string' && !isSymbolic(text) ? Buffer.from(text).toString('base64') : new Unresolved('Fn::Base64 of a deploy-time value');
      }
      default: return new Unresolved(`the intrinsic ${name} is not evaluated by the guard`);
    }
  }

  private ref(id: string): unknown {
    if (id === 'AWS::NoValue') return NO_VALUE;
    if (id === 'AWS::AccountId' && this.scope.account) return this.scope.account;
    if (id === 'AWS::Region' && this.scope.region) return this.scope.region;
    if (id === 'AWS::Partition' && this.scope.partition) return this.scope.partition;
    if (id === 'AWS::URLSuffix') return 'amazonaws.com';
    if (id === 'AWS::NotificationARNs') return new Unresolved('AWS::NotificationARNs is known only at deploy time');
    const given = this.scope.parameters?.[id];
    if (given !== undefined) return given;
    return `\${${id}}`;
  }

  private sub(arg: unknown, seen: Set<string>): unknown {
    const [text, rawVariables] = Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [arg, {}];
    if (typeof text !== 'string') return new Unresolved('a malformed Fn::Sub');
    const variables = this.value(rawVariables, seen);
    if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return new Unresolved('a malformed Fn::Sub (its variables are not an object)');
    let unresolved: Unresolved | undefined;
    const out = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name.startsWith('!')) return `\${!${name.slice(1)}}`;
      // Own properties only: `${toString}` is a parameter name, not Object.prototype's method.
      const value = Object.prototype.hasOwnProperty.call(variables, name) ? (variables as Record<string, unknown>)[name]
        : name.includes('.') ? `\${${name}}` : this.ref(name);
      if (value instanceof Unresolved) unresolved = value;
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
    // `${!Literal}` is Fn::Sub's escape for a literal `${Literal}`.
    return unresolved ?? out.replace(/\$\{!/g, '${');
  }

  private condition(name: string, seen: Set<string>): boolean | Unresolved {
    const definition = this.scope.template.Conditions?.[name];
    if (definition === undefined) return new Unresolved(`the template has no condition ${name}`);
    if (seen.has(name)) return new Unresolved(`condition ${name} refers to itself`);
    const value = this.value(definition, new Set([...seen, name]));
    if (value instanceof Unresolved || typeof value === 'boolean') return value;
    return new Unresolved(`condition ${name} is not a boolean`);
  }

  private logic(name: string, values: unknown[]): boolean | Unresolved {
    const unknown = values.find((v): v is Unresolved => v instanceof Unresolved);
    const known = values.filter((v): v is boolean => typeof v === 'boolean');
    // `And` with one false and `Or` with one true are decided whatever the unknown ones are.
    if (name === 'Fn::And' && known.includes(false)) return false;
    if (name === 'Fn::Or' && known.includes(true)) return true;
    if (unknown) return unknown;
    if (name === 'Fn::Not') return !known[0];
    return name === 'Fn::And' ? known.every(Boolean) : known.some(Boolean);
  }
}

function concat(parts: unknown[], separator: string): string | Unresolved {
  const unresolved = parts.find((p): p is Unresolved => p instanceof Unresolved);
  if (unresolved) return unresolved;
  if (parts.some(p => typeof p === 'object' && p !== null)) return new Unresolved('Fn::Join of a list or object');
  return parts.map(String).join(separator);
}

function hasSymbol(value: unknown): boolean {
  if (typeof value === 'string') return isSymbolic(value);
  return value !== null && typeof value === 'object' && Object.values(value).some(hasSymbol);
}
