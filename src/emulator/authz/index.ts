/**
 * KMS authorization for the emulator: key policies, IAM identity policies and grants.
 * @module
 */
export { evaluateAuthorization } from './evaluate';
export type * from './types';
