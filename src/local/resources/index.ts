import { crossRegionExportReader, crossRegionExportWriter } from './cross-region-exports';
import { guardedKeysValue } from './guarded-keys-values';
import { iamManagedPolicy, iamPolicy, iamRole, iamUser } from './iam';
import { kmsAlias } from './kms-alias';
import { kmsKey } from './kms-key';
import { kmsReplicaKey } from './kms-replica-key';
import { ResourceHandler } from './types';
import { unmodeled } from './unmodeled';

/**
 * Every resource type the local deployment models, by CloudFormation type name (as the emulator's operation table
 * does for KMS operations). Any other type is deployed by {@link unmodeled} and listed as such.
 */
export const RESOURCE_HANDLERS: Record<string, ResourceHandler> = {
  'AWS::KMS::Key': kmsKey,
  'AWS::KMS::ReplicaKey': kmsReplicaKey,
  'AWS::KMS::Alias': kmsAlias,
  'AWS::IAM::Role': iamRole,
  'AWS::IAM::User': iamUser,
  'AWS::IAM::Policy': iamPolicy,
  'AWS::IAM::ManagedPolicy': iamManagedPolicy,
  'Custom::CrossRegionExportWriter': crossRegionExportWriter,
  'Custom::CrossRegionExportReader': crossRegionExportReader,
  // This library's custom resources: run by invoking the bundled handler (guarded-keys-values.ts).
  'Custom::GuardedKeysSealedValue': guardedKeysValue,
  'Custom::GuardedKeysGeneratedSecret': guardedKeysValue,
  'Custom::GuardedKeysDataKey': guardedKeysValue,
};

/** The handler of a type, and whether the type is modeled. */
export function handlerOf(type: string): { handler: ResourceHandler; modeled: boolean } {
  const handler = Object.prototype.hasOwnProperty.call(RESOURCE_HANDLERS, type) ? RESOURCE_HANDLERS[type] : undefined;
  return handler ? { handler, modeled: true } : { handler: unmodeled, modeled: false };
}

export type { PhysicalResource, ResourceContext, ResourceHandler } from './types';
