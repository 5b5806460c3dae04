import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { checkAccess, deployLocally } from '../../src/local';

describe('deployLocally', () => {
  let emulator: RunningEmulator;
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(() => emulator.stop());

  test('a managed policy attached by ARN is part of the role\'s identity policies; unmodeled resources are listed', async () => {
    // GIVEN a plain kms.Key (the account-root statement trusts IAM), a managed policy and an inline policy
    const stack = new Stack(new App(), 'Plain', { env: { account: '111122223333', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const managed = new iam.ManagedPolicy(stack, 'EncryptOnly', {
      statements: [new iam.PolicyStatement({ actions: ['kms:Encrypt'], resources: [key.keyArn] })],
    });
    new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [managed] });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantDecrypt(reader);
    new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });

    // WHEN
    const deployment = await deployLocally(Template.fromStack(stack).toJSON(), { emulator, stackName: 'Plain', account: '111122223333', region: 'eu-west-1' });
    try {
      // THEN
      expect(deployment.unmodeled.map(u => u.type)).toEqual(['AWS::SQS::Queue']);
      const writer = deployment.principals.find(p => p.logicalId.startsWith('Writer'))!;
      expect(writer.identityPolicies.map(p => p.name)).toEqual([expect.stringMatching(/^arn:aws:iam::111122223333:policy\/Plain-EncryptOnly/)]);
      const keyName = deployment.keys[0].logicalId;
      expect((await checkAccess(deployment, writer, 'kms:Encrypt', keyName)).allowed).toBe(true);
      expect((await checkAccess(deployment, writer, 'kms:Decrypt', keyName)).allowed).toBe(false);
      const readerPrincipal = deployment.principals.find(p => p.logicalId.startsWith('Reader'))!;
      expect((await checkAccess(deployment, readerPrincipal, 'kms:Decrypt', keyName)).allowed).toBe(true);
    } finally {
      deployment.close();
    }
  });

  test('an unsupported intrinsic or an unknown reference is an error naming where', async () => {
    await expect(deployLocally({ Resources: { K: { Type: 'AWS::KMS::Key', Properties: { Description: { 'Fn::Transform': {} } } } } }, { emulator }))
      .rejects.toThrow('Stack/K.Description: the intrinsic Fn::Transform is not supported by local deployments');
    await expect(deployLocally({ Resources: { A: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/x', TargetKeyId: { Ref: 'Missing' } } } } }, { emulator }))
      .rejects.toThrow('Stack: reference to Missing, which is not deployed');
  });

  test('a missing source is a clear error', async () => {
    await expect(deployLocally('/nonexistent/cdk.out', { emulator })).rejects.toThrow('nothing to deploy at /nonexistent/cdk.out');
  });
});
