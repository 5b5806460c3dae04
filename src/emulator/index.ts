/**
 * The local KMS emulator (TypeScript only, not jsii): `cdk-guarded-keys/lib/emulator`.
 * @module
 */
export { startEmulator, MAX_BODY_BYTES, VIA_SERVICE_HEADER, SOURCE_IP_HEADER, SOURCE_ARN_HEADER, SOURCE_ACCOUNT_HEADER } from './server';
export type { EmulatorOptions, RunningEmulator } from './server';
export { kmsClientFor } from './kms-client';
export type { EmulatorClientOptions } from './kms-client';
export { ManualClock, SystemClock } from './clock';
export type { Clock } from './clock';
export { loadConfig } from './config';
export type { AdminCredential, EmulatorConfig, PrincipalConfig } from './config';
export { ADMIN_ADD_PRINCIPAL, ADMIN_FILE } from './admin';
export type { ResolvedAdmin } from './admin';
export { JournalError } from './journal';
export { allowAll } from './core';
export type { RecordedDecision } from './core';
export { KmsError } from './errors';
export { CRYPTOGRAPHIC_OPERATIONS, MANAGEMENT_QUOTAS, THROTTLING_MESSAGE, symmetricQuota } from './quotas';
export type { QuotaOptions } from './quotas';
export { AUDIT_MEMORY_SIZE } from './audit/trail';
export type { AuditCount, AuditFilter } from './audit/trail';
export { RECORDED_PARAMETERS } from './audit/event';
export type { AuditEvent, AuditAuthorization, AuditStatementRef, AuditUserIdentity } from './audit/event';
export type { UnusedAccess, UnusedGrant, UnusedStatement } from './audit/unused';
export { ADMIN_GET_AUDIT_TRAIL } from './audit/admin-api';
export type { KmsErrorCode } from './errors';
export { evaluateAuthorization } from './authz';
export type * from './authz/types';
