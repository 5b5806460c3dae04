import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { GuardedKey } from '../../src';
import serializerDefault, {
  guardedKeysSnapshotSerializer, maskTemplate, MASKED_ASSET_HASH, MASKED_PROVIDER_RUNTIME, serialize, test as isMaskable,
} from '../../src/local/snapshot-serializer';

/** jest's printer, reduced to what the serializer needs from it: print the value it is handed. */
const print = (value: unknown) => serialize(value, {}, '', 0, [], (v) => JSON.stringify(v));

/** An app with a guarded key and a Lambda function whose code is an asset whose content is `code`. */
function synth(code: string, users = ['AppRole']): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-serializer-'));
  writeFileSync(join(dir, 'index.js'), code);
  const app = new App();
  const stack = new Stack(app, 'Data', { env: { account: '111122223333', region: 'eu-west-1' } });
  const roles = users.map(name => new iam.Role(stack, name, { assumedBy: new iam.AccountRootPrincipal() }));
  new GuardedKey(stack, 'Key', { users: roles });
  new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
  return Template.fromStack(stack).toJSON();
}

describe('snapshot serializer', () => {
  test('a rebuild with other asset hashes prints the same snapshot', () => {
    // GIVEN two builds whose Lambda bundles differ (as a rebuild or a dependency bump makes them)
    const first = synth('exports.handler = async () => 1;');
    const second = synth('exports.handler = async () => 2;');
    expect(JSON.stringify(first)).not.toEqual(JSON.stringify(second));

    // THEN their snapshots are the same, and the hash is visibly masked
    expect(print(first)).toEqual(print(second));
    expect(print(first)).toContain(`${MASKED_ASSET_HASH}.zip`);
    expect(print(first)).not.toMatch(/[0-9a-f]{64}/);
  });

  test('a change of access changes the snapshot', () => {
    const code = 'exports.handler = async () => 1;';
    expect(print(synth(code, ['AppRole']))).not.toEqual(print(synth(code, ['AppRole', 'AnalyticsRole'])));
  });

  test('any 64-hex asset hash is masked wherever it appears, and nothing else changes', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('', '.zip', '.json'), (hash, ext) => {
      const template = {
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: `${hash}${ext}` } }, Metadata: { 'aws:asset:path': `asset.${hash}` } },
          Key: { Type: 'AWS::KMS::Key', Properties: { Description: 'kept as it is' } },
        },
      };
      const out = maskTemplate(template);
      expect(out.Resources.Fn.Properties.Code.S3Key).toEqual(`${MASKED_ASSET_HASH}${ext}`);
      expect(out.Resources.Fn.Metadata['aws:asset:path']).toEqual(`asset.${MASKED_ASSET_HASH}`);
      expect(out.Resources.Key).toEqual(template.Resources.Key);
      expect(template.Resources.Fn.Properties.Code.S3Key).toEqual(`${hash}${ext}`); // the input is not changed
    }), { numRuns: 50 });
  });

  test('drops CDK metadata and masks the runtime of aws-cdk-lib\'s provider functions only', () => {
    const out = maskTemplate({
      Resources: {
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:abc' } },
        CustomCrossRegionExportWriterCustomResourceProviderHandlerD8786E8A: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x' } },
        AppFn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } },
      },
    });
    expect(Object.keys(out.Resources)).toEqual(['CustomCrossRegionExportWriterCustomResourceProviderHandlerD8786E8A', 'AppFn']);
    expect(out.Resources.CustomCrossRegionExportWriterCustomResourceProviderHandlerD8786E8A.Properties.Runtime).toEqual(MASKED_PROVIDER_RUNTIME);
    expect(out.Resources.AppFn.Properties.Runtime).toEqual('nodejs22.x');
  });

  test('claims templates only, and never its own masked copy (jest would recurse)', () => {
    expect(isMaskable({ Resources: {} })).toBe(true);
    expect(isMaskable({ Resources: [] })).toBe(false);
    expect(isMaskable('abc')).toBe(false);
    expect(isMaskable(null)).toBe(false);
    let handedBack: unknown;
    serialize({ Resources: {} }, {}, '', 0, [], (copy) => { handedBack = copy; return ''; });
    expect(isMaskable(handedBack)).toBe(false);
  });

  test('works with jest\'s own snapshot machinery', () => {
    expect.addSnapshotSerializer(guardedKeysSnapshotSerializer);
    expect({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: `${'a'.repeat(64)}.zip` } } } } }).toMatchInlineSnapshot(`
{
  "Resources": {
    "Fn": {
      "Properties": {
        "Code": {
          "S3Key": "<asset-hash>.zip",
        },
      },
      "Type": "AWS::Lambda::Function",
    },
  },
}
`);
    expect(serializerDefault).toBe(guardedKeysSnapshotSerializer);
  });
});
