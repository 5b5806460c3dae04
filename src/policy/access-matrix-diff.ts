import { KeyAccessMatrix } from './access-matrix';
import { Capability } from './kms-actions';

/**
 * What a change does to access: the cells (key, principal, effect, capability, conditions) that appear or disappear
 * between two versions of an app. Compared as data; rendered by `access-matrix-render.ts`.
 * @module
 */

/** One cell of a matrix: a principal's allow (or deny) of one capability on one key, under conditions. */
export interface AccessCell {
  /** `Stack/KeyPath`. */
  readonly key: string;
  readonly principal: string;
  readonly effect: 'Allow' | 'Deny';
  readonly capability: Capability;
  readonly conditions: string[];
  readonly source: string;
}

/** A cell that a change adds or removes. */
export interface AccessChange extends AccessCell {
  readonly change: 'added' | 'removed';
}

/** Every cell of a set of matrices. */
export function accessCells(matrices: readonly KeyAccessMatrix[]): AccessCell[] {
  return matrices.flatMap(m => m.rows.flatMap(row => row.capabilities.map(capability => ({
    key: `${m.stack}/${m.logicalId}`, principal: row.principal, effect: row.effect, capability, conditions: row.conditions, source: row.source,
  }))));
}

/**
 * The cells added and removed from `before` to `after`. A cell is the same when its key, principal, effect, capability
 * and conditions are; a statement that only moves (a new Sid, another IAM policy) is no change of access.
 */
export function diffAccess(before: readonly KeyAccessMatrix[], after: readonly KeyAccessMatrix[]): AccessChange[] {
  const id = (c: AccessCell) => JSON.stringify([c.key, c.principal, c.effect, c.capability, c.conditions]);
  const old = new Set(accessCells(before).map(id));
  const now = new Set(accessCells(after).map(id));
  const removed = dedupe(accessCells(before).filter(c => !now.has(id(c))), id).map(c => ({ ...c, change: 'removed' as const }));
  const added = dedupe(accessCells(after).filter(c => !old.has(id(c))), id).map(c => ({ ...c, change: 'added' as const }));
  return [...removed, ...added].sort((a, b) => a.key.localeCompare(b.key) || a.principal.localeCompare(b.principal));
}

function dedupe<T>(items: T[], id: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter(item => !seen.has(id(item)) && !!seen.add(id(item)));
}
