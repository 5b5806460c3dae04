import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedKey, GuardedReplicaKey, MultiRegionKey } from '../../src';

/** Service principals get the statements AWS documents; strict mode ties them to the key's account. */
const ACCOUNT = '111122223333';
let app: App;
let stack: Stack;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
});

function keyStatements(s: Stack = stack): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(s).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}

describe('allowServicePrincipal', () => {
  test('logs: the regional Logs principal, narrowed by the log-group ARN in the encryption context', () => {
    new GuardedKey(stack, 'Key', { strict: true }).allowServicePrincipal('logs');
    expect(keyStatements().find(s => s.Sid === 'AllowlogsServicePrincipal')).toEqual({
      Sid: 'AllowlogsServicePrincipal',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:${ACCOUNT}:log-group:*`]] }] } },
    });
  });

  test('sns with source ARNs: aws:SourceAccount and aws:SourceArn', () => {
    new GuardedKey(stack, 'Key').allowServicePrincipal('sns', { sourceArns: [`arn:aws:sns:eu-west-1:${ACCOUNT}:orders`] });
    expect(keyStatements().find(s => s.Sid === 'AllowsnsServicePrincipal')!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': [`arn:aws:sns:eu-west-1:${ACCOUNT}:orders`] },
    });
  });

  test('an unknown service fails synth with the list', () => {
    expect(() => new GuardedKey(stack, 'Key').allowServicePrincipal('s3'))
      .toThrow("Stack/Key: allowServicePrincipal: 's3' is not a service that calls KMS as its own principal; use one of logs, sns, events, cloudtrail, s3-logging");
  });
});

describe('strict mode and service principals', () => {
  test('a statement another construct adds for a service principal without a source condition is narrowed to the account', () => {
    const key = new GuardedKey(stack, 'Key', { strict: true });
    key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'Sns', principals: [new iam.ServicePrincipal('sns.amazonaws.com')], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(keyStatements().find(s => s.Sid === 'Sns')!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
  });

  test('one with a source condition is kept as written', () => {
    const key = new GuardedKey(stack, 'Key', { strict: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'Sns',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:t' } },
    }));
    expect(keyStatements().find(s => s.Sid === 'Sns')!.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:t' } });
  });
});

describe('strict multi-Region keys', () => {
  test("the primary exempts each replica region's deployment role from the management deny (it calls kms:ReplicateKey)", () => {
    const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const primary = new MultiRegionKey(primaryStack, 'Key', { strict: true });
    new GuardedReplicaKey(replicaStack, 'Replica', { primary });
    const exempted = JSON.stringify(keyStatements(primaryStack).find(s => s.Sid === 'DenyManagementToUnlistedPrincipals')!.Condition.ArnNotLike);
    expect(exempted).toContain(`cfn-exec-role-${ACCOUNT}-us-east-1`);
    expect(exempted).toContain(`cfn-exec-role-${ACCOUNT}-eu-west-1`);
  });
});
