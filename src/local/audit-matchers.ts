import type { DeployedKey, DeployedPrincipal, LocalDeployment } from './deployment';
import { AuditEvent, KEY_USE_OPERATIONS } from '../emulator/audit/event';

/**
 * Jest matchers over the emulator's audit trail (docs/audit.md): what did happen, where `toAllow`/`toDeny` say
 * what could. `await expect(deployment).toHaveUsedKey('AppRole', 'Decrypt', 'DataKey')` and
 * `await expect(deployment).toHaveKeyUsedOnlyBy('DataKey', ['AppRole'])`.
 * @module
 */

/** Narrows which uses count. */
export interface KeyUseOptions {
  /** Only uses whose encryption context contains these pairs. */
  readonly encryptionContext?: Record<string, string>;
  /** Only uses through this service endpoint (`kms:ViaService`, e.g. `s3.eu-west-1.amazonaws.com`). */
  readonly viaService?: string;
}

type PrincipalRef = string | DeployedPrincipal;
type KeyRef = string | DeployedKey;

export { KEY_USE_OPERATIONS };

export const auditMatchers = {
  /** The principal made at least one successful `operation` request on the key. */
  async toHaveUsedKey(
    this: unknown, deployment: LocalDeployment, principal: PrincipalRef, operation: string, key: KeyRef, options: KeyUseOptions = {},
  ) {
    const principalArn = principalArnOf(deployment, principal);
    const keyArn = keyArnOf(deployment, key);
    const eventName = operation.replace(/^kms:/, '');
    const trail = await deployment.auditTrail();
    const onKey = trail.filter(e => e.eventName === eventName && e.resources.some(r => r.ARN === keyArn));
    const matching = onKey.filter(e => callerOf(e) === principalArn && !e.errorCode && matchesOptions(e, options));
    return {
      pass: matching.length > 0,
      message: () => matching.length > 0
        ? `expected ${principalArn} not to have used ${eventName} on ${keyArn}, but it did ${matching.length} time(s)`
        : `expected ${principalArn} to have used ${eventName} on ${keyArn}${describe(options)}, but the trail has ${describeEvents(onKey)}`,
    };
  },
  /** Every successful use of the key (cryptographic operations) was by one of the principals. */
  async toHaveKeyUsedOnlyBy(this: unknown, deployment: LocalDeployment, key: KeyRef, principals: PrincipalRef[]) {
    const keyArn = keyArnOf(deployment, key);
    const allowed = new Set(principals.map(p => principalArnOf(deployment, p)));
    const trail = await deployment.auditTrail();
    const others = trail.filter(e => KEY_USE_OPERATIONS.has(e.eventName) && !e.errorCode
      && e.resources.some(r => r.ARN === keyArn) && !allowed.has(callerOf(e) ?? ''));
    return {
      pass: others.length === 0,
      message: () => others.length === 0
        ? `expected someone besides ${[...allowed].join(', ')} to have used ${keyArn}, but nobody did`
        : `expected only ${[...allowed].join(', ')} to use ${keyArn}, but the trail has ${describeEvents(others)}`,
    };
  },
};

function principalArnOf(deployment: LocalDeployment, principal: PrincipalRef): string {
  if (typeof principal !== 'string') return principal.arn;
  return principal.startsWith('arn:') || principal.endsWith('.amazonaws.com') ? principal : deployment.principal(principal).arn;
}

function keyArnOf(deployment: LocalDeployment, key: KeyRef): string {
  if (typeof key !== 'string') return key.arn;
  return key.startsWith('arn:') ? key : deployment.key(key).arn;
}

function callerOf(e: AuditEvent): string | undefined {
  return e.userIdentity.arn ?? e.userIdentity.invokedBy;
}

function matchesOptions(e: AuditEvent, options: KeyUseOptions): boolean {
  if (options.viaService !== undefined && e.additionalEventData?.viaService !== options.viaService) return false;
  if (options.encryptionContext) {
    const params = e.requestParameters ?? {};
    const context = (params.encryptionContext ?? params.sourceEncryptionContext ?? params.destinationEncryptionContext ?? {}) as
      Record<string, string>;
    return Object.entries(options.encryptionContext).every(([k, v]) => context[k] === v);
  }
  return true;
}

function describe(options: KeyUseOptions): string {
  const parts = [options.viaService && `via ${options.viaService}`, options.encryptionContext && `with context ${JSON.stringify(options.encryptionContext)}`].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function describeEvents(events: AuditEvent[]): string {
  if (events.length === 0) return 'no such request';
  const lines = events.slice(-10).map(e => `  ${e.eventTime} ${callerOf(e) ?? '(unknown)'} ${e.eventName}${e.errorCode ? ` -> ${e.errorCode}` : ''} ${JSON.stringify(e.requestParameters?.encryptionContext ?? {})}`);
  return `${events.length} request(s), the last:\n${lines.join('\n')}`;
}
