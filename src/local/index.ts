/**
 * Local deployment of synthesized templates into the emulator, and access checks (TypeScript only, not jsii):
 * `cdk-guarded-keys/lib/local`.
 * @module
 */
export { deployLocally } from './deployment';
export type {
  DeployedKey, DeployedPrincipal, DeployedResource, DeployedStack, DeploymentTarget, LocalDeployment, LocalDeploymentOptions, UnmodeledResource,
} from './deployment';
export { LocalDeploymentError } from './deployment-error';
export type { ResourceAction } from './deployment-error';
export { ADMINISTRATOR_ACCESS, DEFAULT_QUALIFIER } from './execution-role';
export { checkAccess, CHECKABLE_ACTIONS } from './access';
export type { AccessOptions, AccessResult, CheckableAction } from './access';
export { guardedKeysMatchers } from './matchers';
export { auditMatchers, KEY_USE_OPERATIONS } from './audit-matchers';
export type { KeyUseOptions } from './audit-matchers';
export { readSource } from './source';
export type { CfnTemplate, StackSource } from './source';
export { httpDeploymentTarget } from './http-target';
export { measureAccessMatrix, renderMeasuredMatrix, measureServiceUses, renderServiceUses } from './measured-matrix';
export type { MeasuredCell, MeasuredMatrix, ServiceUseCell, ServiceUseMatrix } from './measured-matrix';
export { checkServiceUse, explainServiceUse } from './services/use';
export type { ServiceUseResult, ServiceUseOptions, IamOutcome } from './services/use';
export type { KmsCallOutcome } from './services/calls';
export { SERVICE_MODELS, serviceModelFor } from './services';
export type { ServiceModel, ServiceKmsCall, ServiceUse, UseMode, NamedKey } from './services';
