import { randomBytes } from 'crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import { join } from 'path';
import { ADMIN_STATE_OPERATIONS, registerPrincipal } from './admin-state';
import { AdminCredential, loadConfig, PrincipalConfig } from './config';
import { EmulatorCore } from './core';
import { KmsError } from './errors';

/**
 * The emulator-only admin API (`X-Amz-Target: GuardedKeys.<Action>`, never part of real KMS) and its credential.
 *
 * Administration (registering principals, which is how `guarded-keys deploy` gives a template's roles their
 * credentials) can reach every account, so it needs the emulator's own admin credential, never a KMS principal:
 * an account root of one account must not register, or replace, the principals of another.
 * @module
 */

export const ADMIN_TARGET_PREFIX = 'GuardedKeys.';
export const ADMIN_ADD_PRINCIPAL = `${ADMIN_TARGET_PREFIX}AddPrincipal`;
/** Where a data directory keeps the generated admin credential (mode 0600). */
export const ADMIN_FILE = 'admin.json';

/** The admin credential and where it came from (a configured secret is not printed back). */
export interface ResolvedAdmin extends AdminCredential {
  readonly source: 'config' | 'data-dir' | 'generated';
}

/**
 * The admin credential: the configuration's, else the data directory's, else a new one (kept in the data
 * directory when there is one, so it stays the same across restarts).
 */
export function resolveAdmin(configured: AdminCredential | undefined, dataDir: string | undefined): ResolvedAdmin {
  if (configured) return { ...configured, source: 'config' };
  const path = dataDir ? join(dataDir, ADMIN_FILE) : undefined;
  if (path && existsSync(path)) return { ...readAdminFile(path), source: 'data-dir' };
  const admin = {
    accessKeyId: `GKADMIN${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  if (dataDir) writeAdminFile(dataDir, admin);
  return { ...admin, source: 'generated' };
}

function readAdminFile(path: string): AdminCredential {
  let admin: unknown;
  try {
    admin = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the emulator's admin credential ${path}: ${(err as Error).message}`);
  }
  try {
    return loadConfig({ admin } as never).admin!;
  } catch (err) {
    throw new Error(`the emulator's admin credential ${path} is not usable: ${(err as Error).message}`);
  }
}

/** Written beside and renamed over, so a crash never leaves a half-written credential. */
function writeAdminFile(dataDir: string, admin: AdminCredential): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, ADMIN_FILE);
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true }); // a leftover would keep its own mode: the new file must be created 0600
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(admin, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dataDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Runs one admin action for a caller whose signature was verified with the admin secret. Each action validates
 * its input as the configuration file would.
 */
export function runAdminAction(
  target: string, input: Record<string, unknown>, core: EmulatorCore, admin: AdminCredential,
): Record<string, unknown> {
  if (target === ADMIN_ADD_PRINCIPAL) {
    const principal = input as unknown as PrincipalConfig;
    if (principal?.accessKeyId === admin.accessKeyId) throw new KmsError('ValidationException', 'A principal cannot use the admin access key id.');
    registerPrincipal(core.store, core.identities, principal); // validated as the configuration file is, and kept
    return {};
  }
  const stateOperation = Object.prototype.hasOwnProperty.call(ADMIN_STATE_OPERATIONS, target) ? ADMIN_STATE_OPERATIONS[target] : undefined;
  if (!stateOperation) throw new KmsError('UnsupportedOperationException', `The emulator has no admin action ${target}.`);
  return stateOperation(core, input);
}

/** Refuses an admin call not signed as the admin (before the signature itself is checked). */
export function assertAdminCaller(accessKeyId: string, admin: AdminCredential, target: string): void {
  if (accessKeyId !== admin.accessKeyId) {
    throw new KmsError('AccessDeniedException',
      `${target} needs the emulator's admin credential (printed by guarded-keys emulator, kept in <data-dir>/${ADMIN_FILE}); KMS principals, account roots included, may not call it.`);
  }
}
