import { App, Aspects, CfnOutput, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataKey, GeneratedSecret, GuardedKey, KeyGuard, SealedValue } from '../../src';
import { seal } from '../../src/envelope';
import { fakeKms, FAKE_KEY_A } from '../envelope/fake-kms';
import { ensureHandlerBundle } from '../support/handler-bundle';
import { snapshotTemplate } from '../support/snapshot';

const CONTEXT = { app: 'billing', purpose: 'db-password' };
let committed: string;

beforeAll(async () => {
  ensureHandlerBundle();
  const { kms: fake } = fakeKms();
  committed = Buffer.from(await seal(Buffer.from('not a real secret'), { keyIds: [FAKE_KEY_A], encryptionContext: CONTEXT, kms: fake })).toString('base64');
});

let app: App;
let stack: Stack;
let key: GuardedKey;
let reader: iam.Role;
beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  key = new GuardedKey(stack, 'Key', { strict: true });
  reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
});

const contextCondition = { StringEquals: { 'kms:EncryptionContext:app': 'billing', 'kms:EncryptionContext:purpose': 'db-password' } };

function handlerStatements(): Array<Record<string, any>> {
  const template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as any;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
  return policies.filter(p => p.Properties.Roles.some((r: any) => r.Ref === roleId)).flatMap(p => p.Properties.PolicyDocument.Statement);
}

describe('the handler', () => {
  test('one nodejs22.x function per stack, whatever the number of values', () => {
    new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key });
    new GeneratedSecret(stack, 'Secret', { targetKey: key });
    new DataKey(stack, 'Data', { targetKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 120 });
  });

  test('its role gets only what each value needs, on the keys it names, with the value\'s context as a condition', () => {
    // GIVEN a sealed value (sealing key read from the envelope) and a data key
    new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key });
    new DataKey(stack, 'Data', { targetKey: key, encryptionContext: CONTEXT });
    // THEN
    const kmsStatements = handlerStatements().filter(s => [s.Action].flat().some((a: string) => a !== 'kms:DescribeKey'));
    expect(kmsStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'kms:ReEncryptFrom', Resource: FAKE_KEY_A, Condition: contextCondition }),
      expect.objectContaining({ Action: 'kms:ReEncryptTo', Condition: expect.objectContaining(contextCondition) }),
      expect.objectContaining({
        Action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo'], Condition: expect.objectContaining(contextCondition),
      }),
    ]));
    for (const s of kmsStatements) {
      expect(s.Resource).not.toBe('*');
      expect(JSON.stringify(s.Action)).not.toMatch(/kms:Decrypt|kms:Encrypt"|\*/);
    }
  });

  test('its role is registered with a strict guarded key (the strict denies exempt it) and KeyGuard passes', () => {
    Aspects.of(app).add(new KeyGuard());
    new GeneratedSecret(stack, 'Secret', { targetKey: key, encryptionContext: CONTEXT });
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    const deny = policy.Statement.find((s: any) => s.Sid === 'DenyEncryptToUnlistedPrincipals');
    const fnRole = Object.keys(template.findResources('AWS::IAM::Role')).find(id => id.startsWith('GuardedKeysValues'))!;
    expect(JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn'])).toContain(fnRole);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('SealedValue', () => {
  test('passes the envelope and the target key, and exposes the rewrapped envelope as a token', () => {
    const value = new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key });
    new CfnOutput(stack, 'Value', { value: value.envelope });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::GuardedKeysSealedValue', {
      Kind: 'SealedValue', Envelope: committed, TargetKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] }, EncryptionContext: CONTEXT,
    });
    template.hasOutput('Value', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Sealed'), 'Envelope'] } });
    expect(value.encryptionContext).toEqual(CONTEXT);
  });

  test('grantOpen gives Decrypt on the target key with the value\'s context, nothing else', () => {
    new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key }).grantOpen(reader);
    const template = Template.fromStack(stack);
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .filter(p => p.Properties.Roles.some((r: any) => r.Ref.startsWith('Reader'))).flatMap(p => p.Properties.PolicyDocument.Statement);
    const use = statements.filter(s => s.Action !== 'kms:DescribeKey');
    expect(use).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Condition: expect.objectContaining(contextCondition) })]);
  });

  test.each([
    ['a context other than the envelope\'s', { encryptionContext: { app: 'billing' } },
      'Stack/Sealed: encryptionContext must be the envelope\'s. Received: ["app"]; the envelope carries ["app","purpose"]'],
    ['an envelope that is not base64', { envelope: 'not base64!' }, 'Stack/Sealed: envelope must be base64 (`guarded-keys seal ... | base64 -w0`)'],
    ['an envelope that is not one', { envelope: Buffer.from('hello there').toString('base64') },
      'Stack/Sealed: envelope is not an envelope of this library: unsupported envelope: version 104 (this library reads version 1)'],
  ])('refuses %s', (_, props, message) => {
    expect(() => new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key, ...props })).toThrow(message);
  });
});

describe('GeneratedSecret and DataKey', () => {
  test('properties are passed as strings; nothing secret is in the template', () => {
    new GeneratedSecret(stack, 'Secret', { targetKey: key, length: 40, alphabet: 'abcdef', generation: 3, encryptionContext: CONTEXT });
    Template.fromStack(stack).hasResourceProperties('Custom::GuardedKeysGeneratedSecret', {
      Kind: 'GeneratedSecret', Length: '40', Alphabet: 'abcdef', Generation: '3', EncryptionContext: CONTEXT,
    });
  });

  test('previousTargetKeys get ReEncryptFrom (a key migration)', () => {
    const old = kms.Key.fromKeyArn(stack, 'Old', 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000');
    new DataKey(stack, 'Data', { targetKey: key, previousTargetKeys: [old], encryptionContext: CONTEXT });
    expect(handlerStatements()).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'kms:ReEncryptFrom', Resource: old.keyArn, Condition: contextCondition }),
    ]));
  });

  test.each([
    [{ length: 7 }, 'length must be an integer from 8 to 4096. Received: 7'],
    [{ length: 4097 }, 'length must be an integer from 8 to 4096. Received: 4097'],
    [{ length: 8.5 }, 'length must be an integer from 8 to 4096. Received: 8.5'],
    [{ alphabet: 'a' }, 'alphabet must have 2 to 256 characters. Received: 1'],
    [{ alphabet: 'abca' }, 'alphabet must not repeat a character'],
    [{ alphabet: 'ab', rawBytes: true }, 'alphabet and rawBytes exclude each other'],
    [{ generation: 0 }, 'generation must be a positive integer. Received: 0'],
    [{ encryptionContext: { 'guarded-keys:x': 'y' } }, 'encryptionContext: keys starting with \'guarded-keys:\' are reserved. Received: \'guarded-keys:x\''],
  ])('GeneratedSecret refuses %j', (props, message) => {
    expect(() => new GeneratedSecret(stack, 'Secret', { targetKey: key, ...props })).toThrow(`Stack/Secret: ${message}`);
  });

  test('length 8 and 4096 are accepted', () => {
    new GeneratedSecret(stack, 'Short', { targetKey: key, length: 8 });
    new GeneratedSecret(stack, 'Long', { targetKey: key, length: 4096 });
    Template.fromStack(stack).resourceCountIs('Custom::GuardedKeysGeneratedSecret', 2);
  });
});

test('snapshot', () => {
  new SealedValue(stack, 'Sealed', { envelope: committed, targetKey: key }).grantOpen(reader);
  new GeneratedSecret(stack, 'Secret', { targetKey: key, encryptionContext: CONTEXT }).grantOpen(reader);
  new DataKey(stack, 'Data', { targetKey: key, encryptionContext: { app: 'billing' } }).grantOpen(reader);
  const template = snapshotTemplate(stack) as any;
  // The envelope is random per run (its message id and wrapped key): masked like an asset hash.
  const text = JSON.stringify(template).split(committed).join('<committed-envelope>');
  expect(JSON.parse(text)).toMatchSnapshot();
});
