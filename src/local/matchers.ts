import { AccessOptions, checkAccess } from './access';
import { DeployedKey, DeployedPrincipal, LocalDeployment } from './deployment';

type PrincipalRef = string | DeployedPrincipal;
type KeyRef = string | DeployedKey;

/**
 * Jest matchers for a user's PR check:
 * `await expect(deployment).toAllow('AppRole', 'kms:Decrypt', 'DataKey', { viaService: 's3', encryptionContext: { tenant: 'a' } })`
 * and `toDeny(...)`. Each makes the real request through the SDK and, when it fails, prints the emulator's explanation.
 */
export const guardedKeysMatchers = {
  async toAllow(this: unknown, deployment: LocalDeployment, principal: PrincipalRef, action: string, key: KeyRef, options?: AccessOptions) {
    const result = await checkAccess(deployment, principal, action, key, options);
    return {
      pass: result.allowed,
      message: () => `expected ${name(principal)} to be allowed ${action} on ${name(key)}${describeOptions(options)}, but it was denied: ${result.explanation ?? result.error?.message}`,
    };
  },
  async toDeny(this: unknown, deployment: LocalDeployment, principal: PrincipalRef, action: string, key: KeyRef, options?: AccessOptions) {
    const result = await checkAccess(deployment, principal, action, key, options);
    return {
      pass: !result.allowed,
      message: () => `expected ${name(principal)} to be denied ${action} on ${name(key)}${describeOptions(options)}, but it was allowed: ${result.explanation ?? ''}`,
    };
  },
};

function name(x: string | { stack: string; logicalId: string }): string {
  return typeof x === 'string' ? x : `${x.stack}/${x.logicalId}`;
}

function describeOptions(options: AccessOptions | undefined): string {
  if (!options) return '';
  const parts = [options.viaService && `via ${options.viaService}`, options.encryptionContext && `with context ${JSON.stringify(options.encryptionContext)}`, options.sourceIp && `from ${options.sourceIp}`];
  return parts.filter(Boolean).length ? ` (${parts.filter(Boolean).join(', ')})` : '';
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The principal may perform the action on the key (a real request through the emulator). */
      toAllow(principal: string | DeployedPrincipal, action: string, key: string | DeployedKey, options?: AccessOptions): Promise<R>;
      /** The principal is denied the action on the key (AccessDeniedException from the emulator). */
      toDeny(principal: string | DeployedPrincipal, action: string, key: string | DeployedKey, options?: AccessOptions): Promise<R>;
    }
  }
}
