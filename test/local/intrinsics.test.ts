import * as fc from 'fast-check';
import { NO_VALUE, ResolutionScope, resolveValue, StackOutputReference } from '../../src/local/intrinsics';

/** A scope over fixed resources, exports, stack outputs and conditions. */
function scopeOf(overrides: Partial<ResolutionScope> = {}): ResolutionScope {
  const refs: Record<string, string> = { Key: 'key-id', Role: 'AppRole' };
  const attributes: Record<string, Record<string, unknown>> = { Key: { Arn: 'arn:aws:kms:eu-west-1:111122223333:key/key-id' }, Role: { Arn: 'arn:aws:iam::111122223333:role/AppRole' } };
  const conditions: Record<string, boolean> = { IsProd: true, IsDev: false };
  return {
    stackName: 'App',
    account: '111122223333',
    region: 'eu-west-1',
    ref: id => {
      if (!(id in refs)) throw new Error(`reference to ${id}`);
      return refs[id];
    },
    getAtt: (id, attribute) => attributes[id]?.[attribute],
    importValue: name => `imported:${name}`,
    stackOutput: (ref: StackOutputReference) => `${ref.stackName}.${ref.outputName}@${ref.region ?? '-'}/${ref.roleArn ?? '-'}`,
    condition: name => conditions[name],
    ...overrides,
  };
}

const r = (value: unknown, scope = scopeOf()) => resolveValue(value, scope, 'App/X');

describe('resolveValue', () => {
  describe('Ref and pseudo parameters', () => {
    test.each([
      ['AWS::AccountId', '111122223333'],
      ['AWS::Region', 'eu-west-1'],
      ['AWS::Partition', 'aws'],
      ['AWS::URLSuffix', 'amazonaws.com'],
      ['AWS::StackName', 'App'],
      ['AWS::StackId', 'arn:aws:cloudformation:eu-west-1:111122223333:stack/App/local'],
      ['Key', 'key-id'],
    ])('Ref %s', (name, expected) => {
      expect(r({ Ref: name })).toBe(expected);
    });

    test('AWS::NoValue removes the property or list item', () => {
      expect(r({ A: { Ref: 'AWS::NoValue' }, B: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({ B: [1, 2] });
      expect(r({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
    });

    test('an unknown reference is the scope\'s error', () => {
      expect(() => r({ Ref: 'Missing' })).toThrow('reference to Missing');
    });
  });

  test('Fn::GetAtt in both forms', () => {
    expect(r({ 'Fn::GetAtt': ['Key', 'Arn'] })).toBe('arn:aws:kms:eu-west-1:111122223333:key/key-id');
    expect(r({ 'Fn::GetAtt': 'Role.Arn' })).toBe('arn:aws:iam::111122223333:role/AppRole');
  });

  test('Fn::Join and Fn::Split, nested', () => {
    expect(r({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] })).toBe('arn:aws:iam::111122223333:root');
    expect(r({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Key', 'Arn'] }] })).toEqual(['arn', 'aws', 'kms', 'eu-west-1', '111122223333', 'key/key-id']);
  });

  test('Fn::Join then Fn::Split gives the parts back (any parts without the separator)', () => {
    fc.assert(fc.property(fc.array(fc.string().filter(s => !s.includes('|')), { minLength: 1 }), parts => {
      expect(r({ 'Fn::Split': ['|', { 'Fn::Join': ['|', parts] }] })).toEqual(parts);
    }), { numRuns: 200 });
  });

  describe('Fn::Sub', () => {
    test('pseudo parameters, references, attributes and literals', () => {
      expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role} ${Key.Arn} ${!Literal}' }))
        .toBe('arn:aws:iam::111122223333:role/AppRole arn:aws:kms:eu-west-1:111122223333:key/key-id ${Literal}');
    });

    test('with its own variables, which may be intrinsics and win over references', () => {
      expect(r({ 'Fn::Sub': ['${Role}-${Name}', { Name: { Ref: 'AWS::Region' }, Role: 'override' }] })).toBe('override-eu-west-1');
    });
  });

  test('Fn::Select, and an index out of range names the path', () => {
    expect(r({ 'Fn::Select': [1, ['a', 'b']] })).toBe('b');
    expect(r({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(() => r({ 'Fn::Select': [2, ['a', 'b']] })).toThrow('App/X: Fn::Select index 2 out of range');
  });

  test('conditions: Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition', () => {
    expect(r({ 'Fn::If': ['IsProd', 'prod', 'dev'] })).toBe('prod');
    expect(r({ 'Fn::If': ['IsDev', 'dev', { Ref: 'AWS::NoValue' }] })).toBe(NO_VALUE);
    expect(r({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] })).toBe(true);
    expect(r({ 'Fn::Not': [{ Condition: 'IsProd' }] })).toBe(false);
    expect(r({ 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['a', 'a'] }] })).toBe(true);
    expect(r({ 'Fn::Or': [{ Condition: 'IsDev' }, { Condition: 'IsDev' }] })).toBe(false);
  });

  test('Fn::Base64 and Fn::ImportValue', () => {
    expect(r({ 'Fn::Base64': { Ref: 'AWS::Region' } })).toBe(Buffer.from('eu-west-1').toString('base64'));
    expect(r({ 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-KeyArn' } })).toBe('imported:App-KeyArn');
  });

  describe('Fn::GetStackOutput (weak cross-stack references)', () => {
    test('StackName and OutputName, with optional Region and RoleArn, each resolved', () => {
      expect(r({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'KeyArn' } })).toBe('Keys.KeyArn@-/-');
      expect(r({
        'Fn::GetStackOutput': {
          StackName: 'Keys',
          OutputName: 'KeyArn',
          Region: { Ref: 'AWS::Region' },
          RoleArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::222233334444:role/reader' },
        },
      })).toBe('Keys.KeyArn@eu-west-1/arn:aws:iam::222233334444:role/reader');
    });

    test.each([
      [{ StackName: 'Keys' }, 'App/X: Fn::GetStackOutput needs { StackName, OutputName } strings'],
      [['Keys', 'KeyArn'], 'Fn::GetStackOutput needs { StackName, OutputName } strings'],
      [{ StackName: 'Keys', OutputName: 'KeyArn', Account: '1' }, 'Fn::GetStackOutput does not take Account'],
    ])('a malformed reference %j is an error naming the path', (arg, message) => {
      expect(() => r({ 'Fn::GetStackOutput': arg })).toThrow(message);
    });
  });

  test('an unsupported intrinsic is an error naming the path', () => {
    expect(() => r({ A: { B: { 'Fn::Transform': {} } } })).toThrow('App/X.A.B: the intrinsic Fn::Transform is not supported by local deployments');
  });

  test('objects with several keys are not intrinsics, even with an intrinsic name among them', () => {
    expect(r({ Ref: 'Key', Other: { Ref: 'Role' } })).toEqual({ Ref: 'Key', Other: 'AppRole' });
  });
});
