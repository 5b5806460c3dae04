import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardedKey, GuardedReplicaKey, MultiRegionKey } from '../../src';
import { snapshotTemplate } from '../support/snapshot';

const ACCOUNT = '111122223333';

describe('multi-Region keys and replicas', () => {
  let app: App;
  let primaryStack: Stack;
  let replicaStack: Stack;
  let admin: iam.Role;
  let user: iam.Role;

  beforeEach(() => {
    app = new App();
    primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    admin = new iam.Role(primaryStack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-admin' });
    user = new iam.Role(primaryStack, 'User', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-user' });
  });

  function replicaPolicy(): Array<Record<string, any>> {
    const [replica] = Object.values(Template.fromStack(replicaStack).findResources('AWS::KMS::ReplicaKey'));
    return replica.Properties.KeyPolicy.Statement;
  }

  test('MultiRegionKey is a rotating multi-Region primary', () => {
    new MultiRegionKey(primaryStack, 'Key', { admins: [admin], users: [user] });
    Template.fromStack(primaryStack).hasResourceProperties('AWS::KMS::Key', {
      MultiRegion: true, EnableKeyRotation: true, RotationPeriodInDays: 365,
    });
  });

  test('admins of a multi-Region primary may replicate and move the primary region', () => {
    new MultiRegionKey(primaryStack, 'Key', { admins: [admin] });
    const [key] = Object.values(Template.fromStack(primaryStack).findResources('AWS::KMS::Key'));
    const admins = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowKeyAdministration');
    expect(admins.Action).toEqual(expect.arrayContaining(['kms:ReplicateKey', 'kms:UpdatePrimaryRegion']));
  });

  test('a replica references its primary, keeps its own deletion window and aliases, and has no rotation settings', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', { admins: [admin], users: [user], aliases: ['app/data'] });
    new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary, aliases: ['app/data'], pendingWindow: Duration.days(7) });
    const template = Template.fromStack(replicaStack);
    template.hasResource('AWS::KMS::ReplicaKey', {
      Properties: {
        PrimaryKeyArn: Match.anyValue(),
        PendingWindowInDays: 7,
        EnableKeyRotation: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data', TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KeyReplica'), 'Arn'] } });
  });

  test('the replica stack depends on the primary stack, so they deploy in a working order', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key');
    new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary });
    const assembly = app.synth();
    expect(assembly.getStackByName('Replica').dependencies.map(d => d.id)).toContain('Primary');
  });

  test('the replica policy is the primary model rendered for the replica region', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', {
      admins: [admin], users: [user], viaServices: ['secretsmanager'], requiredEncryptionContext: { tenant: '*' },
    });
    new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary });
    const sids = replicaPolicy().map(s => s.Sid);
    expect(sids).toEqual(['EnableRootAccessAndIAMPolicies', 'AllowKeyAdministration', 'AllowKeyUse', 'AllowKeyUsersToDescribeKey']);
    const use = replicaPolicy().find(s => s.Sid === 'AllowKeyUse')!;
    expect(use.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] },
      StringLike: { 'kms:EncryptionContext:tenant': '*' },
    });
    const [key] = Object.values(Template.fromStack(primaryStack).findResources('AWS::KMS::Key'));
    const primaryUse = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowKeyUse');
    expect(primaryUse.Condition.StringEquals['kms:ViaService']).toEqual(['secretsmanager.eu-west-1.amazonaws.com']);
  });

  test('a replica is an IKey that constructs of its region can use', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', { viaServices: ['s3'] });
    const replica = new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary });
    const reader = new iam.Role(replicaStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const bucket = new s3.Bucket(replicaStack, 'Bucket', { encryptionKey: replica });
    bucket.grantRead(reader);
    const template = Template.fromStack(replicaStack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('KeyReplica'), 'Arn'] } } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] } },
        })]),
      },
    });
  });

  test('a replica refuses to give use to a primary admin', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', { admins: [admin] });
    const replica = new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary });
    expect(() => replica.grantDecrypt(admin)).toThrow(/is in 'admins' and cannot also use the key \(grantDecrypt\)/);
  });

  test('strict replicas exempt their own region\'s deployment role', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', { admins: [admin], users: [user], strict: true });
    new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary });
    const deny = replicaPolicy().find(s => s.Sid === 'DenyManagementToUnlistedPrincipals')!;
    expect(JSON.stringify(deny.Condition)).toContain(`cfn-exec-role-${ACCOUNT}-us-east-1`);
    expect(JSON.stringify(deny.Condition)).not.toContain('eu-west-1');
  });

  describe('validation', () => {
    test('the primary must be multi-Region', () => {
      const primary = new GuardedKey(primaryStack, 'Key');
      expect(() => new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary }))
        .toThrow("Replica/KeyReplica: 'primary' must be a multi-Region key (MultiRegionKey, or 'multiRegion: true'); Primary/Key is not");
    });

    test('the replica must be in another region', () => {
      const primary = new MultiRegionKey(primaryStack, 'Key');
      expect(() => new GuardedReplicaKey(primaryStack, 'KeyReplica', { primary }))
        .toThrow('a replica must be in another region than its primary (both are in eu-west-1)');
    });

    test('the replica stack needs cross-region references', () => {
      const plain = new Stack(app, 'Plain', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
      const primary = new MultiRegionKey(primaryStack, 'Key');
      expect(() => new GuardedReplicaKey(plain, 'KeyReplica', { primary }))
        .toThrow("the replica's stack Plain must be created with 'crossRegionReferences: true' to reference its primary in eu-west-1");
    });

    test.each([6, 31])('a pendingWindow of %d days is refused', (days) => {
      const primary = new MultiRegionKey(primaryStack, 'Key');
      expect(() => new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary, pendingWindow: Duration.days(days) }))
        .toThrow(`'pendingWindow' must be a whole number of days between 7 and 30. Received: ${days} days`);
    });
  });

  test('snapshot: a primary in eu-west-1 with a replica in us-east-1', () => {
    const primary = new MultiRegionKey(primaryStack, 'Key', { admins: [admin], users: [user], viaServices: ['s3'], aliases: ['app/data'] });
    new GuardedReplicaKey(replicaStack, 'KeyReplica', { primary, aliases: ['app/data'] });
    expect({ primary: snapshotTemplate(primaryStack), replica: snapshotTemplate(replicaStack) }).toMatchSnapshot();
  });
});
