import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';

/** The README quick start must work as written: this runs the block between the quickstart markers. */
describe('README quick start', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- quickstart:start -->\s*```ts[^\n]*\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme)?.[1];

  test('exists', () => {
    expect(block).toBeDefined();
  });

  test('synthesizes a guarded key with the narrowing it shows', () => {
    const js = ts.transpileModule(`${block}\nexports.app = app;`, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exported: { app?: App } = {};
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports, resolved as a user's would be
    const load = (name: string) => (name === 'cdk-guarded-keys' ? require('../src') : require(name));
    new Function('require', 'exports', js)(load, exported);

    const stack = exported.app!.node.findChild('Data') as Stack;
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 180 });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/data/customers' });
    const policy = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'EnableRootAccessAndIAMPolicies', 'AllowKeyAdministration', 'AllowKeyUse', 'AllowKeyUsersToDescribeKey',
    ]);
  });
});
