/**
 * A jest snapshot serializer for synthesized templates (TypeScript only, not jsii):
 * `cdk-guarded-keys/lib/local/snapshot-serializer`.
 *
 * A snapshot of a stack with guarded keys should change when access changes, not on every build. So any value
 * that looks like a CloudFormation template (an object with a `Resources` map) is printed with what a rebuild or
 * a dependency bump moves masked: asset hashes (the S3 keys of Lambda bundles — this package's custom-resource
 * handler among them — and their `aws:asset:*` metadata), the `AWS::CDK::Metadata` resource, and the Node.js
 * runtime of aws-cdk-lib's own provider functions, which every aws-cdk-lib release moves forward.
 *
 * ```js
 * // jest.config.js
 * module.exports = { snapshotSerializers: ['cdk-guarded-keys/lib/local/snapshot-serializer'] };
 * // or, in one test file
 * expect.addSnapshotSerializer(require('cdk-guarded-keys/lib/local/snapshot-serializer').guardedKeysSnapshotSerializer);
 * expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
 * ```
 * @module
 */

/** What an asset hash looks like in a template: 64 hex digits, optionally with the asset's extension. */
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json|\.tar)?/g;
/** The functions aws-cdk-lib adds for itself (custom-resource providers, cross-region references). */
const PROVIDER_FUNCTION = /CustomResourceProvider|CrossRegion|Provider(Handler|framework)/i;

/** Printed in place of a masked value. */
export const MASKED_ASSET_HASH = '<asset-hash>';
/** Printed in place of aws-cdk-lib's own provider functions' runtime. */
export const MASKED_PROVIDER_RUNTIME = '<aws-cdk-lib provider runtime>';

/** The masked copies this serializer made, so jest's printer does not hand them back to it. */
const masked = new WeakSet<object>();

interface TemplateLike {
  Resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

function isTemplate(value: unknown): value is TemplateLike {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const resources = (value as { Resources?: unknown }).Resources;
  return typeof resources === 'object' && resources !== null && !Array.isArray(resources);
}

/**
 * A copy of `template` with build-to-build values masked (see the module comment). The input is not changed.
 */
export function maskTemplate<T>(template: T): T {
  const copy = JSON.parse(JSON.stringify(template).replace(ASSET_HASH, `${MASKED_ASSET_HASH}$1`)) as T;
  if (!isTemplate(copy)) return copy;
  for (const [id, resource] of Object.entries(copy.Resources)) {
    if (resource.Type === 'AWS::CDK::Metadata') {
      delete copy.Resources[id];
    } else if (resource.Type === 'AWS::Lambda::Function' && PROVIDER_FUNCTION.test(id) && resource.Properties?.Runtime) {
      resource.Properties.Runtime = MASKED_PROVIDER_RUNTIME;
    }
  }
  return copy;
}

/** jest's serializer test: a template this serializer has not already masked. */
export function test(value: unknown): boolean {
  return isTemplate(value) && !masked.has(value);
}

/** jest's serializer print: the masked copy, printed by jest's own printer (so the snapshot format is jest's). */
export function serialize<Config, Refs>(value: unknown, config: Config, indentation: string, depth: number, refs: Refs,
  printer: (value: unknown, config: Config, indentation: string, depth: number, refs: Refs) => string): string {
  const copy = maskTemplate(value) as object;
  masked.add(copy);
  return printer(copy, config, indentation, depth, refs);
}

/** The serializer as one object, for `expect.addSnapshotSerializer(...)`. */
export const guardedKeysSnapshotSerializer = { test, serialize };

export default guardedKeysSnapshotSerializer;
