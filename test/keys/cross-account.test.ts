import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedKey } from '../../src';

const KEY_ACCOUNT = '111122223333';
const OTHER = '444455556666';

describe('cross-account use', () => {
  let app: App;
  let keyStack: Stack;
  let consumerStack: Stack;

  beforeEach(() => {
    app = new App();
    keyStack = new Stack(app, 'Keys', { env: { account: KEY_ACCOUNT, region: 'eu-west-1' } });
    consumerStack = new Stack(app, 'Consumer', { env: { account: OTHER, region: 'eu-west-1' } });
  });

  function keyStatements(): Array<Record<string, any>> {
    const [key] = Object.values(Template.fromStack(keyStack).findResources('AWS::KMS::Key'));
    return key.Properties.KeyPolicy.Statement;
  }

  test('an account principal as a user gets its own statement with kms:CallerAccount', () => {
    new GuardedKey(keyStack, 'Key', { users: [new iam.AccountPrincipal(OTHER)] });
    expect(keyStatements().find(s => s.Sid === `AllowKeyUseFromAccount${OTHER}`)).toEqual(expect.objectContaining({
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${OTHER}:root`]] } },
      Condition: { StringEquals: { 'kms:CallerAccount': OTHER } },
    }));
  });

  test('a role ARN of another account is named as such', () => {
    new GuardedKey(keyStack, 'Key', { decryptors: [new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/reader`)] });
    expect(keyStatements().find(s => s.Sid === `AllowDecryptOnlyFromAccount${OTHER}`)!.Principal).toEqual({ AWS: `arn:aws:iam::${OTHER}:role/reader` });
  });

  test('grantDecrypt to a role in another account\'s stack writes both sides without a cross-environment reference', () => {
    const key = new GuardedKey(keyStack, 'Key', { aliases: ['shared/data'] });
    const reader = new iam.Role(consumerStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantDecrypt(reader);

    // THEN the key policy names the other account, with kms:CallerAccount
    expect(keyStatements()).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${OTHER}:root`]] } },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Condition: { StringEquals: { 'kms:CallerAccount': OTHER } },
    })]));
    // AND the reader's policy allows the key's account and region, narrowed to the key's alias
    Template.fromStack(consumerStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:eu-west-1:${KEY_ACCOUNT}:key/*`]] },
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/shared/data'] } },
        })]),
      },
    });
    // AND the app synthesizes (no cycle, no cross-environment reference)
    expect(() => app.synth()).not.toThrow();
  });

  test('a role of the same account in another stack that depends on the key stack does not create a cycle', () => {
    const sameAccount = new Stack(app, 'App', { env: { account: KEY_ACCOUNT, region: 'eu-west-1' } });
    const key = new GuardedKey(keyStack, 'Key', { strict: false });
    const role = new iam.Role(sameAccount, 'Worker', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantEncryptDecrypt(role);
    const assembly = app.synth();
    const stackDependencies = (name: string) => assembly.getStackByName(name).dependencies.map(d => d.id).filter(id => !id.endsWith('.assets'));
    expect(stackDependencies('App')).toEqual(['Keys']);
    expect(stackDependencies('Keys')).toEqual([]);
  });
});
