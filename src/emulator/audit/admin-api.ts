import { unusedAccess } from './unused';
import type { EmulatorCore } from '../core';
import { Input, optionalBoolean, optionalString, page } from '../input';

/**
 * The audit trail over the admin API (`GuardedKeys.GetAuditTrail`, signed with the emulator's admin credential):
 * how a test in another process, or `guarded-keys` tooling, reads what a running emulator recorded.
 * @module
 */

export const ADMIN_GET_AUDIT_TRAIL = 'GuardedKeys.GetAuditTrail';

/**
 * Input: optional `KeyArn`, `PrincipalArn`, `EventName`, `Failed` filters and KMS-style `Limit` (1-1000, default
 * 100) / `Marker` pagination. Output: `Events`, `Truncated`, `NextMarker`, and over the whole run `Counts` and
 * `UnusedAccess`.
 */
export function getAuditTrail(core: EmulatorCore, input: Input): Record<string, unknown> {
  const events = core.audit.events({
    keyArn: optionalString(input, 'KeyArn', { max: 2048 }),
    principalArn: optionalString(input, 'PrincipalArn', { max: 2048 }),
    eventName: optionalString(input, 'EventName', { max: 128 }),
    failed: optionalBoolean(input, 'Failed'),
  });
  const { items, truncated, nextMarker } = page(input, events);
  return {
    Events: items,
    Truncated: truncated,
    ...(nextMarker ? { NextMarker: nextMarker } : {}),
    Counts: core.audit.counts(),
    UnusedAccess: unusedAccess(core.audit, core.store, core.identities.principals()),
  };
}
