import { GuardTemplate } from '../../src/guard/template-source';
import { cfnLintFinding } from '../../validators/tools/cfn-lint';
import { splitResource } from '../../validators/tools/checkov';

/** How each tool's output is read into one finding shape: resources by construct path, the rest as detail. */
const template: GuardTemplate = {
  stackName: 'Stack',
  file: 'Stack.template.json',
  template: { Resources: { Fn1234: { Type: 'AWS::Lambda::Function', Metadata: { 'aws:cdk:path': 'Stack/Fn/Resource' } }, Bare: { Type: 'AWS::SNS::Topic' } } },
};
const match = (path: Array<string | number>) => ({ Rule: { Id: 'W2531' }, Level: 'Warning' as const, Message: 'm', Filename: 'f', Location: { Path: path } });

describe('cfn-lint matches', () => {
  test('a resource is named by its construct path, the property path is the detail', () => {
    expect(cfnLintFinding(match(['Resources', 'Fn1234', 'Properties', 'Runtime']), template, 'app'))
      .toEqual({ tool: 'cfn-lint', rule: 'W2531', resource: 'Stack/Fn/Resource', detail: 'Properties/Runtime', message: 'm', app: 'app' });
  });

  test('a resource without path metadata is Stack/LogicalId; a match outside Resources keeps its section', () => {
    expect(cfnLintFinding(match(['Resources', 'Bare']), template, 'app')).toEqual(expect.objectContaining({ resource: 'Stack/Bare', detail: undefined }));
    expect(cfnLintFinding(match(['Outputs', 'Arn', 'Value']), template, 'app')).toEqual(expect.objectContaining({ resource: 'Stack/Outputs/Arn', detail: 'Value' }));
  });
});

describe('checkov resources', () => {
  test.each([
    ['AWS::KMS::Key.Key961B73FD', ['AWS::KMS::Key', 'Key961B73FD']],
    ['AWS::IAM::Policy.AppRoleDefaultPolicy1', ['AWS::IAM::Policy', 'AppRoleDefaultPolicy1']],
  ])('%s', (resource, expected) => {
    expect(splitResource(resource)).toEqual(expected);
  });
});
