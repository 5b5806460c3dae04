import { CfnResource } from './source';

/**
 * The order CloudFormation would create resources in: a resource after everything it references (`Ref`,
 * `Fn::GetAtt`, `${...}` in `Fn::Sub`) or names in `DependsOn`. A cycle is an error naming the resources.
 */
export function deploymentOrder(resources: Record<string, CfnResource>): string[] {
  const ids = new Set(Object.keys(resources));
  const deps = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const found = new Set<string>();
    collectReferences(resource.Properties, found);
    for (const d of [resource.DependsOn ?? []].flat()) found.add(d);
    deps.set(id, new Set([...found].filter(d => ids.has(d) && d !== id)));
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`circular dependency between resources: ${[...trail, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const d of [...deps.get(id)!].sort()) visit(d, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of [...ids].sort()) visit(id, []);
  return order;
}

function collectReferences(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach(v => collectReferences(v, found));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Ref' && typeof v === 'string') {found.add(v);} else if (k === 'Fn::GetAtt') {found.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);} else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? String(v[0]) : String(v);
      for (const m of text.matchAll(/\$\{([^!}][^}.]*)/g)) found.add(m[1]);
      if (Array.isArray(v)) collectReferences(v[1], found);
    } else {collectReferences(v, found);}
  }
}

/** Stacks in an order that deploys each after the stacks it depends on. */
export function stackOrder<T extends { name: string; dependencies: string[] }>(stacks: T[]): T[] {
  const byName = new Map(stacks.map(s => [s.name, s]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (s: T) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    s.dependencies.map(d => byName.get(d)).filter((d): d is T => d !== undefined).forEach(visit);
    out.push(s);
  };
  stacks.forEach(visit);
  return out;
}
