import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * A template for snapshot tests, with what changes on every dependency bump masked: asset hashes
 * (S3 keys, image tags, Lambda code hashes), the CDK metadata resource, and the Node.js runtime of
 * aws-cdk-lib's own provider functions (the cross-region reference handlers), which each aws-cdk-lib
 * release moves forward: the snapshot must change when access changes, not when aws-cdk-lib does.
 */
export function snapshotTemplate(stack: Stack): unknown {
  const json = Template.fromStack(stack).toJSON() as { Resources?: Record<string, { Type: string }> };
  for (const [id, resource] of Object.entries(json.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') delete json.Resources![id];
    const properties = (resource as { Properties?: { Runtime?: string } }).Properties;
    if (resource.Type === 'AWS::Lambda::Function' && /CustomResourceProviderHandler/.test(id) && properties?.Runtime) {
      properties.Runtime = '<aws-cdk-lib provider runtime>';
    }
  }
  return JSON.parse(JSON.stringify(json).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '<asset-hash>$1'));
}
