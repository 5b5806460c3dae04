import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * A template for snapshot tests, with what changes on every dependency bump masked: asset hashes
 * (S3 keys, image tags, Lambda code hashes) and the CDK metadata resource.
 */
export function snapshotTemplate(stack: Stack): unknown {
  const json = Template.fromStack(stack).toJSON() as { Resources?: Record<string, { Type: string }> };
  for (const [id, resource] of Object.entries(json.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') delete json.Resources![id];
  }
  return JSON.parse(JSON.stringify(json).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '<asset-hash>$1'));
}
