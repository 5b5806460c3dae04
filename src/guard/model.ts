import { evaluate, Unresolved, unresolvedIn } from './evaluate';
import { patternOf } from './pattern-marker';
import { GuardPrincipal, holderId, principalsOf } from './principals';
import { CfnResource, GuardTemplate } from './template-source';

/**
 * The guard's view of one stack: its keys and the IAM policies of the template, every intrinsic evaluated
 * (see `evaluate.ts`), every statement in one shape whether it comes from a key policy or an IAM policy.
 * @module
 */

/** One statement, from a key policy or an IAM policy. */
export interface GuardStatement {
  readonly sid?: string;
  readonly effect: string;
  /** Key-policy principals; for an IAM policy, the identities it is attached to. */
  readonly principals: GuardPrincipal[];
  readonly notPrincipal: boolean;
  readonly actions: string[];
  readonly notAction: boolean;
  /** `Resource`, or `NotResource` when {@link notResource} is true. */
  readonly resources: unknown[];
  /** True when the statement has `NotResource`: it covers every resource except those listed. */
  readonly notResource: boolean;
  readonly condition: unknown;
  /** JSON pointer of the statement in the template (`/Resources/Key/Properties/KeyPolicy/Statement/1`). */
  readonly pointer: string;
  /** `statement 'Sid'` or `statement #2`. */
  readonly label: string;
}

/** A KMS key or replica key of the template. */
export interface GuardKey {
  readonly logicalId: string;
  readonly type: 'AWS::KMS::Key' | 'AWS::KMS::ReplicaKey';
  /** The construct path (from `aws:cdk:path`), or the logical ID. */
  readonly path: string;
  readonly properties: Record<string, unknown>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** The `KeyPattern` that made the key, from its `cdk-guarded-keys:pattern` metadata (see `pattern-marker.ts`). */
  readonly pattern?: string;
  /** Undefined when the key has no `KeyPolicy` (CloudFormation then applies the default policy). */
  readonly statements?: GuardStatement[];
  /** The key policy as written in the template (for its size). */
  readonly rawPolicy?: unknown;
  /**
   * True when some of the key policy (the whole policy, or a statement) cannot be evaluated: a rule that needs the
   * absence of a statement (GK2) cannot conclude it, and leaves it to GK0.
   */
  readonly policyIncomplete: boolean;
}

/** An IAM policy of the template (a policy resource, a managed policy, or a role's, user's or group's inline policy). */
export interface GuardIamPolicy {
  readonly logicalId: string;
  readonly path: string;
  readonly name: string;
  readonly statements: GuardStatement[];
}

/** One stack, ready for the rules. */
export interface GuardStack {
  readonly source: GuardTemplate;
  readonly keys: GuardKey[];
  readonly iamPolicies: GuardIamPolicy[];
  /** Values that could not be evaluated, per resource. */
  readonly unresolved: Array<{ logicalId: string; path: string; pointer: string; reason: string }>;
}

const KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);
const HOLDER_TYPES: Record<string, 'role' | 'user' | 'group'> = { 'AWS::IAM::Role': 'role', 'AWS::IAM::User': 'user', 'AWS::IAM::Group': 'group' };

/** Builds the guard's view of a template. */
export function guardStack(source: GuardTemplate, parameters?: Readonly<Record<string, string>>): GuardStack {
  const scope = { account: source.account, region: source.region, parameters, template: source.template };
  const resources = source.template.Resources ?? {};
  const keys: GuardKey[] = [];
  const iamPolicies: GuardIamPolicy[] = [];
  const unresolved: GuardStack['unresolved'] = [];
  const managedHolders = managedPolicyHolders(resources, scope);

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!KEY_TYPES.has(resource.Type) && !resource.Type.startsWith('AWS::IAM::')) continue;
    if (resource.Condition !== undefined) {
      const included = evaluate({ 'Fn::If': [resource.Condition, true, false] }, scope);
      if (included === false) continue; // not created: nothing to judge
    }
    const path = pathOf(logicalId, resource);
    const base = `/Resources/${logicalId}/Properties`;
    const properties = (evaluate(resource.Properties ?? {}, scope) ?? {}) as Record<string, unknown>;
    if (KEY_TYPES.has(resource.Type)) {
      // Every property, not only the policy: a rotation period or key spec known only at deploy time is said (GK0),
      // and the rules that needed it pass over the key rather than guess.
      for (const u of unresolvedIn(properties, base)) unresolved.push({ logicalId, path, pointer: u.path, reason: u.reason });
      const policy = parsedJson(properties.KeyPolicy);
      const rawStatements = (policy as { Statement?: unknown } | undefined)?.Statement;
      keys.push({
        logicalId,
        type: resource.Type as GuardKey['type'],
        path,
        properties,
        deletionPolicy: resource.DeletionPolicy,
        updateReplacePolicy: resource.UpdateReplacePolicy,
        pattern: patternOf(resource.Metadata),
        rawPolicy: resource.Properties?.KeyPolicy,
        policyIncomplete: policy instanceof Unresolved || rawStatements instanceof Unresolved
          || (Array.isArray(rawStatements) && rawStatements.some(s => s instanceof Unresolved)),
        statements: policy === undefined ? undefined
          : statementsOf(policy, `${base}/KeyPolicy`, s => principalsOf(s.Principal ?? s.NotPrincipal, source.account)),
      });
      continue;
    }
    for (const policy of iamPoliciesOf(logicalId, resource, properties, managedHolders)) {
      for (const u of unresolvedIn(policy.document, policy.pointer)) unresolved.push({ logicalId, path, pointer: u.path, reason: u.reason });
      iamPolicies.push({
        logicalId,
        path,
        name: policy.name,
        statements: statementsOf(parsedJson(policy.document), policy.pointer, () => policy.holders.map(id => ({ kind: 'identity', id }) as GuardPrincipal)),
      });
    }
  }
  return { source, keys, iamPolicies, unresolved };
}

/** CloudFormation also takes a policy document as a JSON string. */
function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return new Unresolved('a policy document that is a string but not JSON');
  }
}

/** The construct path below the stack (`CustomerDataKey/Resource`), from the `aws:cdk:path` metadata CDK writes. */
function pathOf(logicalId: string, resource: CfnResource): string {
  const path = resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : logicalId;
}

function statementsOf(document: unknown, pointer: string, principals: (s: RawStatement) => GuardPrincipal[]): GuardStatement[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = raw instanceof Unresolved || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return (list as RawStatement[]).filter(s => s && typeof s === 'object' && !(s instanceof Unresolved)).map((s, i) => ({
    sid: typeof s.Sid === 'string' ? s.Sid : undefined,
    effect: typeof s.Effect === 'string' ? s.Effect : 'unknown',
    principals: principals(s),
    notPrincipal: s.NotPrincipal !== undefined,
    actions: toStrings(s.NotAction ?? s.Action),
    notAction: s.NotAction !== undefined,
    resources: toList(s.Resource ?? s.NotResource),
    notResource: s.Resource === undefined && s.NotResource !== undefined,
    condition: s.Condition,
    pointer: Array.isArray(raw) ? `${pointer}/Statement/${i}` : `${pointer}/Statement`,
    label: typeof s.Sid === 'string' && s.Sid ? `statement '${s.Sid}'` : `statement #${i + 1}`,
  }));
}

interface RawStatement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

const toList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const toStrings = (v: unknown): string[] => toList(v).filter((x): x is string => typeof x === 'string');

interface RawIamPolicy { name: string; document: unknown; pointer: string; holders: string[] }

function iamPoliciesOf(
  logicalId: string, resource: CfnResource, properties: Record<string, unknown>, managedHolders: Map<string, string[]>,
): RawIamPolicy[] {
  const base = `/Resources/${logicalId}/Properties`;
  if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
    const holders = [
      ...toList(properties.Roles).map(v => holderId('role', v)),
      ...toList(properties.Users).map(v => holderId('user', v)),
      ...toList(properties.Groups).map(v => holderId('group', v)),
      ...(managedHolders.get(logicalId) ?? []),
    ];
    const name = typeof properties.PolicyName === 'string' ? properties.PolicyName : logicalId;
    return [{ name, document: properties.PolicyDocument, pointer: `${base}/PolicyDocument`, holders }];
  }
  const kind = HOLDER_TYPES[resource.Type];
  if (!kind) return [];
  return toList(properties.Policies).map((p, i) => {
    const inline = p as { PolicyName?: unknown; PolicyDocument?: unknown };
    return { name: `${logicalId}/${String(inline.PolicyName)}`, document: inline.PolicyDocument, pointer: `${base}/Policies/${i}/PolicyDocument`, holders: [logicalId] };
  });
}

/** Managed policies of the template attached through a role's, user's or group's `ManagedPolicyArns`. */
function managedPolicyHolders(resources: Record<string, CfnResource>, scope: Parameters<typeof evaluate>[1]): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!HOLDER_TYPES[resource.Type]) continue;
    for (const arn of toList(evaluate(resource.Properties?.ManagedPolicyArns, scope))) {
      const managed = typeof arn === 'string' ? /^\$\{([A-Za-z0-9]+)\}$/.exec(arn)?.[1] : undefined;
      if (managed && resources[managed]?.Type === 'AWS::IAM::ManagedPolicy') holders.set(managed, [...(holders.get(managed) ?? []), logicalId]);
    }
  }
  return holders;
}
