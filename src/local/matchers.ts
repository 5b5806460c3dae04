import { AccessOptions, checkAccess } from './access';
import { auditMatchers, KeyUseOptions } from './audit-matchers';
import { DeployedKey, DeployedPrincipal, DeployedResource, LocalDeployment } from './deployment';
import { UseMode } from './services/types';
import { checkServiceUse, explainServiceUse, ServiceUseOptions } from './services/use';

type PrincipalRef = string | DeployedPrincipal;
type KeyRef = string | DeployedKey;

/**
 * Jest matchers for a user's PR check:
 * `await expect(deployment).toAllow('AppRole', 'kms:Decrypt', 'DataKey', { viaService: 's3', encryptionContext: { tenant: 'a' } })`
 * and `toDeny(...)`. Each makes the real request through the SDK and, when it fails, prints the emulator's explanation.
 */
export const guardedKeysMatchers = {
  ...auditMatchers,
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
  /**
   * `await expect(deployment).toAllowUse('AppRole', 'Bucket', 'read')`: the principal's IAM policies allow the
   * service's action on the resource, and every KMS request the service makes for it is allowed by the emulator.
   */
  async toAllowUse(
    this: unknown, deployment: LocalDeployment, principal: PrincipalRef, resource: ResourceRef, mode: UseMode, options?: ServiceUseOptions,
  ) {
    const result = await checkServiceUse(deployment, principal, resource, mode, options);
    return {
      pass: result.allowed,
      message: () => `expected ${name(principal)} to ${mode} ${name(resource)} via ${result.service}, but it cannot:\n${explainServiceUse(result)}`,
    };
  },
  async toDenyUse(
    this: unknown, deployment: LocalDeployment, principal: PrincipalRef, resource: ResourceRef, mode: UseMode, options?: ServiceUseOptions,
  ) {
    const result = await checkServiceUse(deployment, principal, resource, mode, options);
    return {
      pass: !result.allowed,
      message: () => `expected ${name(principal)} to be unable to ${mode} ${name(resource)} via ${result.service}, but it can:\n${explainServiceUse(result)}`,
    };
  },
};

type ResourceRef = string | DeployedResource;

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
      /** The principal can read (write) the resource through its service: IAM, and the KMS requests the service makes. */
      toAllowUse(principal: string | DeployedPrincipal, resource: string | DeployedResource, mode: 'read' | 'write', options?: ServiceUseOptions): Promise<R>;
      /** The principal cannot read (write) the resource through its service. */
      toDenyUse(principal: string | DeployedPrincipal, resource: string | DeployedResource, mode: 'read' | 'write', options?: ServiceUseOptions): Promise<R>;
      /** The audit trail has a successful `operation` (e.g. `Decrypt`) by the principal on the key. */
      toHaveUsedKey(principal: string | DeployedPrincipal, operation: string, key: string | DeployedKey, options?: KeyUseOptions): Promise<R>;
      /** Every successful cryptographic use of the key in the audit trail was by one of these principals. */
      toHaveKeyUsedOnlyBy(key: string | DeployedKey, principals: Array<string | DeployedPrincipal>): Promise<R>;
    }
  }
}
