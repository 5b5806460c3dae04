import { ADMIN_GET_AUDIT_TRAIL, getAuditTrail } from './audit/admin-api';
import { loadConfig, PrincipalConfig } from './config';
import { EmulatorCore } from './core';
import { KmsError } from './errors';
import { IdentityRegistry } from './identity';
import { Input, requiredString } from './input';
import { stackSlot } from './state';
import { Store } from './store';

/**
 * Emulator-only admin operations for local deployments (`guarded-keys deploy`, `deployLocally`), never part of
 * real KMS: the principals a deployment registered, and each deployed stack's state, both kept in the store so
 * a restarted emulator (`--data-dir`) serves the same deployment and can be deployed to again.
 * @module
 */

/** Registers a principal and keeps it (replacing one with the same access key id). */
export function registerPrincipal(store: Store, identities: IdentityRegistry, principal: PrincipalConfig): void {
  try {
    loadConfig({ principals: [principal] });
  } catch (err) {
    throw new KmsError('ValidationException', (err as Error).message);
  }
  identities.add(principal);
  store.putPrincipal(principal);
}

/** Forgets a principal registered at run time (an IAM role or user a stack update removed). */
export function removePrincipal(store: Store, identities: IdentityRegistry, accessKeyId: string): void {
  identities.remove(accessKeyId);
  store.deletePrincipal(accessKeyId);
}

/** A principal registered at run time, by access key id. */
export function principalOf(store: Store, accessKeyId: string): PrincipalConfig | undefined {
  return store.principals.get(accessKeyId);
}

/** A stack's stored state (opaque to the emulator), or undefined before its first deployment. */
export function stackStateOf(store: Store, account: string, region: string, stackName: string): unknown {
  return store.stacks.get(stackSlot(account, region, stackName))?.state;
}

/** Stores a stack's state; `undefined` forgets the stack (it was deleted). */
export function putStackState(store: Store, account: string, region: string, stackName: string, state: unknown): void {
  if (state === undefined || state === null) store.deleteStack({ account, region, stackName, state: undefined });
  else store.putStack({ account, region, stackName, state });
}

/** The admin targets served next to `GuardedKeys.AddPrincipal`, each reading its JSON body. */
export const ADMIN_STATE_OPERATIONS: Record<string, (core: EmulatorCore, input: Input) => Record<string, unknown>> = {
  [ADMIN_GET_AUDIT_TRAIL]: getAuditTrail,
  'GuardedKeys.GetPrincipal': (core, input) => {
    const principal = principalOf(core.store, requiredString(input, 'AccessKeyId'));
    return principal ? { Principal: principal } : {};
  },
  'GuardedKeys.RemovePrincipal': (core, input) => {
    removePrincipal(core.store, core.identities, requiredString(input, 'AccessKeyId'));
    return {};
  },
  'GuardedKeys.GetStackState': (core, input) => {
    const state = stackStateOf(core.store, ...stackOf(input));
    return state === undefined ? {} : { State: state };
  },
  'GuardedKeys.PutStackState': (core, input) => {
    putStackState(core.store, ...stackOf(input), input.State);
    return {};
  },
};

function stackOf(input: Input): [string, string, string] {
  return [
    requiredString(input, 'Account', { pattern: /^\d{12}$/ }),
    requiredString(input, 'Region', { max: 32 }),
    requiredString(input, 'StackName', { max: 256 }),
  ];
}
