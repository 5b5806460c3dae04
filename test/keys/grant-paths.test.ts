import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { GuardedKey, GuardedReplicaKey, MultiRegionKey } from '../../src';

/**
 * Every path by which a principal reaches a guarded key keeps admins and users apart and registers the principal,
 * whichever aws-cdk-lib version drives it: `grant*`, `grant(...)` with wildcards, `addToResourcePolicy`, the
 * `grants` object of aws-cdk-lib 2.2xx, and integrations such as `bucket.grantRead`.
 * (These tests also run against the newest aws-cdk-lib 2.x: `npx projen test:cdk-latest`.)
 */
const ACCOUNT = '111122223333';

let app: App;
let stack: Stack;
let admin: iam.Role;
let user: iam.Role;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
});

function keyStatements(): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}

function denyExemptions(sid: string): unknown {
  return keyStatements().find(s => s.Sid === sid)?.Condition.ArnNotLike['aws:PrincipalArn'];
}

describe('action wildcards are classified by what they cover', () => {
  test.each([
    [['kms:*']],
    [['kms:Gen*', 'kms:De*']],
    [['kms:*crypt']],
    [['kms:Create*']],
  ])('grant(admin, %j) fails synth', actions => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin] });
    expect(() => key.grant(admin, ...actions)).toThrow(/is in 'admins' and cannot also use the key|both management and use/);
  });

  test('grant(user, kms:*) fails synth: one call may not give both management and use', () => {
    const key = new GuardedKey(stack, 'Key');
    expect(() => key.grant(user, 'kms:*')).toThrow('Stack/Key: grant(kms:*) gives User00B015A1.Arn both management and use of the key');
  });

  test('grant(user, kms:Schedule*) fails synth for a user', () => {
    const key = new GuardedKey(stack, 'Key', { users: [user] });
    expect(() => key.grant(user, 'kms:Schedule*')).toThrow("uses the key ('users') and cannot also be an admin");
  });

  test('a wildcard use grant is narrowed like the key users, and written as the actions it covers', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3'] });
    key.grant(user, 'kms:Gen*');
    const covered = ['kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateMac'];
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: covered, Effect: 'Allow', Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } } })]) },
    });
  });

  test.each([
    ['bucket.grantReadWrite', (key: GuardedKey) => new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantReadWrite(user)],
    ['queue.grantSendMessages', (key: GuardedKey) => new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key }).grantSendMessages(user)],
    ['key.grant(kms:ReEncrypt*)', (key: GuardedKey) => key.grant(user, 'kms:ReEncrypt*', 'kms:GenerateDataKey*')],
  ])('%s writes no wildcard KMS action (cdk-nag AwsSolutions-IAM5 flags them)', (_, grant) => {
    // GIVEN aws-cdk-lib's grants, which ask the key for kms:GenerateDataKey* and kms:ReEncrypt*
    grant(new GuardedKey(stack, 'Key'));
    // THEN the IAM policy names each action
    const actions = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.filter(a => a.startsWith('kms:'))).not.toHaveLength(0);
    expect(actions.filter(a => a.startsWith('kms:') && a.includes('*'))).toEqual([]);
  });
});

describe('addToResourcePolicy is checked like the props', () => {
  const statement = (props: Partial<iam.PolicyStatementProps>) => new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], ...props });

  test('an admin given use through a key policy statement fails synth', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin] });
    expect(() => key.addToResourcePolicy(statement({ principals: [admin] })))
      .toThrow("Stack/Key: AdminC75D2A91.Arn is in 'admins' and cannot also use the key through a key policy statement");
  });

  test('Principal * whose only condition is aws:SecureTransport fails synth', () => {
    const key = new GuardedKey(stack, 'Key');
    expect(() => key.addToResourcePolicy(statement({ principals: [new iam.AnyPrincipal()], conditions: { Bool: { 'aws:SecureTransport': 'true' } } })))
      .toThrow('allows Principal "*" without a condition that narrows the caller');
  });

  test('Principal * narrowed by aws:PrincipalOrgID is accepted', () => {
    const key = new GuardedKey(stack, 'Key');
    key.addToResourcePolicy(statement({ principals: [new iam.AnyPrincipal()], conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }));
    expect(keyStatements()).toHaveLength(2);
  });

  test('an Allow with NotPrincipal fails synth', () => {
    const key = new GuardedKey(stack, 'Key');
    expect(() => key.addToResourcePolicy(statement({ notPrincipals: [admin] }))).toThrow('allows with NotPrincipal');
  });

  test('a replica checks its statements as its primary does', () => {
    const app2 = new App();
    const primaryStack = new Stack(app2, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app2, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const primary = new MultiRegionKey(primaryStack, 'Key');
    const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary });
    expect(() => replica.addToResourcePolicy(statement({ principals: [new iam.AnyPrincipal()] }))).toThrow('without a condition that narrows the caller');
  });
});

describe('the grants object of newer aws-cdk-lib versions', () => {
  test('key.grants.encrypt refuses an admin, as grantEncrypt does', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin] });
    expect(() => (key as unknown as { grants: { encrypt(g: iam.IGrantable): iam.Grant } }).grants.encrypt(admin))
      .toThrow("AdminC75D2A91.Arn is in 'admins' and cannot also use the key (grantEncrypt)");
  });

  test('key.grants.decrypt is narrowed like the key users', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3'] });
    (key as unknown as { grants: { decrypt(g: iam.IGrantable): iam.Grant } }).grants.decrypt(user);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:ReEncryptFrom'], Effect: 'Allow', Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } } })]) },
    });
  });

  test('a replica has a keyRef and a guarded grants object', () => {
    const app2 = new App();
    const primaryStack = new Stack(app2, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app2, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary: new MultiRegionKey(primaryStack, 'Key') });
    expect(replica.keyRef).toEqual({ keyArn: replica.keyArn, keyId: replica.keyId });
    expect(typeof (replica as unknown as { grants: { decrypt: unknown } }).grants.decrypt).toBe('function');
  });

  test('an ecr.Repository and an s3.Bucket accept a replica as their key', () => {
    const app2 = new App();
    const primaryStack = new Stack(app2, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app2, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary: new MultiRegionKey(primaryStack, 'Key') });
    new ecr.Repository(replicaStack, 'Repo', { encryption: ecr.RepositoryEncryption.KMS, encryptionKey: replica as unknown as kms.IKey });
    new s3.Bucket(replicaStack, 'Bucket', { encryptionKey: replica });
    const template = Template.fromStack(replicaStack);
    template.hasResourceProperties('AWS::ECR::Repository', { EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': ['ReplicaDDFB2A87', 'Arn'] } } });
  });
});

describe('strict mode exempts every grantee, whatever path granted it', () => {
  test('bucket.grantRead registers the reader as a decryptor, so the strict Deny exempts it', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin], strict: true });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    bucket.grantRead(user);
    const exempted = JSON.stringify(denyExemptions('DenyDecryptToUnlistedPrincipals'));
    expect(exempted).toContain('User');
    expect(JSON.stringify(denyExemptions('DenyEncryptToUnlistedPrincipals'))).not.toContain('User');
  });

  test('bucket.grantReadWrite registers both directions', () => {
    const key = new GuardedKey(stack, 'Key', { strict: true });
    new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantReadWrite(user);
    expect(JSON.stringify(denyExemptions('DenyEncryptToUnlistedPrincipals'))).toContain('User');
    expect(JSON.stringify(denyExemptions('DenyDecryptToUnlistedPrincipals'))).toContain('User');
  });

  test('a bucket reader that is an admin fails synth', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin], strict: true });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    expect(() => bucket.grantRead(admin)).toThrow("is in 'admins' and cannot also use the key");
  });
});

describe('cross-account grants reach replicas', () => {
  test("a primary's grant to another account's role is in every replica's policy too, with kms:CallerAccount", () => {
    const app2 = new App();
    const primaryStack = new Stack(app2, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app2, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const partnerStack = new Stack(app2, 'Partner', { env: { account: '444455556666', region: 'eu-west-1' } });
    const partner = new iam.Role(partnerStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'reader' });
    const primary = new MultiRegionKey(primaryStack, 'Key');
    const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary });
    primary.grantDecrypt(partner);
    const [replicaKey] = Object.values(Template.fromStack(replicaStack).findResources('AWS::KMS::ReplicaKey'));
    const fromPartner = replicaKey.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowDecryptOnlyFromAccount444455556666');
    expect(fromPartner).toEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:ReEncryptFrom'], Condition: { StringEquals: { 'kms:CallerAccount': '444455556666' } } }));
    expect(replica.keyArn).toBeDefined();
  });
});

describe('replica grantees', () => {
  test("a role in the replica's stack granted use of the replica synthesizes without a cyclic reference", () => {
    const app2 = new App();
    const primaryStack = new Stack(app2, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const replicaStack = new Stack(app2, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary: new MultiRegionKey(primaryStack, 'Key', { strict: true }) });
    const reader = new iam.Role(replicaStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    replica.grantDecrypt(reader);
    new s3.Bucket(replicaStack, 'Bucket', { encryptionKey: replica }).grantRead(reader);
    // THEN the app synthesizes (a cycle would throw), the reader's policy names the replica, and strict mode exempts it
    expect(() => app2.synth()).not.toThrow();
    const [replicaKey] = Object.values(Template.fromStack(replicaStack).findResources('AWS::KMS::ReplicaKey'));
    const deny = replicaKey.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'DenyDecryptToUnlistedPrincipals');
    expect(JSON.stringify(deny.Condition.ArnNotLike)).toContain('Reader');
  });
});
