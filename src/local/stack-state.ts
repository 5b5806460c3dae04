/**
 * What a local deployment remembers of a stack between deployments, as CloudFormation does: each resource's
 * physical id, attributes and last (resolved) properties, and the stack's outputs. Kept in the emulator (admin
 * API, journaled with the keys), so a second deployment of a changed app is an update, and a second deployment of
 * the same app changes nothing.
 * @module
 */

/** One deployed resource, as the stack state keeps it (plain JSON). */
export interface StoredResource {
  readonly type: string;
  /** The construct path below the stack, when the template has CDK path metadata. */
  readonly path?: string;
  /** The properties as last deployed, intrinsics resolved. */
  readonly properties: Record<string, unknown>;
  /** The physical id (`Ref`). */
  readonly ref: string;
  /** `Fn::GetAtt` values. */
  readonly attributes: Record<string, unknown>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

export interface StackState {
  /** Resources in creation order (deletions go in reverse). */
  readonly resources: Record<string, StoredResource>;
  /** Output values by output name (`Fn::GetStackOutput`). */
  readonly outputs: Record<string, unknown>;
  /** Export values by export name (`Fn::ImportValue`). */
  readonly exports: Record<string, unknown>;
}

export const EMPTY_STACK_STATE: StackState = { resources: {}, outputs: {}, exports: {} };

/** Reads a stored state defensively: an emulator may hold state written by another version. */
export function asStackState(value: unknown): StackState {
  const v = value as Partial<StackState> | undefined;
  if (!v || typeof v !== 'object' || typeof v.resources !== 'object') return EMPTY_STACK_STATE;
  return { resources: v.resources ?? {}, outputs: v.outputs ?? {}, exports: v.exports ?? {} };
}

/** Whether two JSON values are the same (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter(k => (value as Record<string, unknown>)[k] !== undefined)
      .map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
