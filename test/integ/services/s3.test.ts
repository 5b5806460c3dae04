import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACCOUNT, OTHER_ACCOUNT, OTHER_REGION, REGION, role, servicesFixture, stackIn } from './support';
import { GuardedKey, GuardedReplicaKey, MultiRegionKey } from '../../../src';

/**
 * S3 with SSE-KMS: S3 calls KMS with the requester's credentials through s3.<region>.amazonaws.com, with
 * `aws:s3:arn` = the object ARN (the bucket ARN with bucket keys).
 */
describe('S3 (SSE-KMS) through the emulator', () => {
  const { deploy } = servicesFixture();

  test('GuardedKey: bucket.grantRead reads, grantWrite writes, an unrelated role does neither', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3Plain');
      const key = new GuardedKey(stack, 'Key');
      const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
      bucket.grantRead(role(stack, 'Reader'));
      bucket.grantWrite(role(stack, 'Writer'));
      role(stack, 'Other');
    });
    await expect(deployment).toAllowUse('Reader', 'Bucket', 'read');
    await expect(deployment).toDenyUse('Reader', 'Bucket', 'write');
    await expect(deployment).toAllowUse('Writer', 'Bucket', 'write');
    await expect(deployment).toDenyUse('Other', 'Bucket', 'read');
  });

  /** A plain kms.Key whose key policy lets the reader use it through S3 for one bucket's context only. */
  const pinnedKey = (stack: Stack, reader: iam.IRole, context: string) => {
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      principals: [reader],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': context } },
    }));
    return key;
  };

  test('bucket keys: S3 sends the bucket ARN as aws:s3:arn, so a key policy pinned to the bucket ARN allows it', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3BucketKey');
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: 's3-bucket-key-reader' });
      const key = pinnedKey(stack, reader, 'arn:aws:s3:::s3-bucket-key-data');
      new s3.Bucket(stack, 'Bucket', { bucketName: 's3-bucket-key-data', encryptionKey: key, bucketKeyEnabled: true });
      reader.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::s3-bucket-key-data/*'] }));
    });
    await expect(deployment).toAllowUse('Reader', 'Bucket', 'read');
  });

  test('without bucket keys the same pinned context denies: S3 sends the object ARN; the failure says why', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3NoBucketKey');
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: 's3-no-bucket-key-reader' });
      const key = pinnedKey(stack, reader, 'arn:aws:s3:::s3-no-bucket-key-data');
      new s3.Bucket(stack, 'Bucket', { bucketName: 's3-no-bucket-key-data', encryptionKey: key });
      reader.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::s3-no-bucket-key-data/*'] }));
    });
    await expect(deployment).toDenyUse('Reader', 'Bucket', 'read');
    // The failure names the request, the caller, the context and the statement that decided.
    const explained = await expect(deployment).toAllowUse('Reader', 'Bucket', 'read').then(() => '', (e: Error) => e.message);
    expect(explained).toContain('kms:Decrypt as arn:aws:iam::111122223333:role/s3-no-bucket-key-reader via s3.eu-west-1.amazonaws.com '
      + 'with context {"aws:s3:arn":"arn:aws:s3:::s3-no-bucket-key-data/guarded-keys-check"}');
    expect(explained).toMatch(/nearest: key-policy #2: condition StringEquals kms:EncryptionContext:aws:s3:arn/);
  });

  test('requiredEncryptionContext may name the context S3 sets (aws:s3:arn), pinning the key to one bucket\'s objects', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3Context');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { users: [app_], viaServices: ['s3'], requiredEncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::s3context-*' } });
      new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantReadWrite(app_);
    });
    await expect(deployment).toAllowUse('App', 'Bucket', 'read');
    await expect(deployment).toAllowUse('App', 'Bucket', 'write');
  });

  test('a required context key (tenant): denied unless the writer adds it to S3\'s context (x-amz-server-side-encryption-context)', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3Tenant');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { users: [app_], viaServices: ['s3'], requiredEncryptionContext: { tenant: '*' } });
      new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantReadWrite(app_);
    });
    await expect(deployment).toDenyUse('App', 'Bucket', 'write');
    await expect(deployment).toAllowUse('App', 'Bucket', 'write', { encryptionContext: { tenant: 'acme' } });
    await expect(deployment).toAllowUse('App', 'Bucket', 'read', { encryptionContext: { tenant: 'acme' } });
  });

  test('a key usable only through SQS is refused to S3', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3WrongService');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { users: [app_], viaServices: ['sqs'] });
      new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantRead(app_);
    });
    await expect(deployment).toDenyUse('App', 'Bucket', 'read');
  });

  test('strict: users listed on the key read and write; an IAM kms:* policy does not get an outsider in', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3StrictUsers');
      const app_ = role(stack, 'App');
      const intruder = role(stack, 'Intruder');
      const key = new GuardedKey(stack, 'Key', { strict: true, users: [app_], viaServices: ['s3'] });
      const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
      bucket.grantReadWrite(app_);
      // The intruder may read objects and holds kms:* through IAM, but no grant of the key (bucket.grantRead
      // would be one: it registers the reader with the key).
      intruder.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
      intruder.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
    });
    await expect(deployment).toAllowUse('App', 'Bucket', 'read');
    await expect(deployment).toAllowUse('App', 'Bucket', 'write');
    await expect(deployment).toDenyUse('Intruder', 'Bucket', 'read');
  });

  test('strict: a role given access with bucket.grantRead reads through S3 (the grant registers it with the key)', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3StrictGrantRead');
      const key = new GuardedKey(stack, 'Key', { strict: true });
      new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).grantRead(role(stack, 'Reader'));
    });
    await expect(deployment).toAllowUse('Reader', 'Bucket', 'read');
  });

  test('cross-account: a bucket in another account encrypted with the shared key (by alias ARN); both policies must allow', async () => {
    const deployment = await deploy(app => {
      const keys = stackIn(app, 'S3SharedKey');
      new GuardedKey(keys, 'Key', {
        aliases: ['shared/s3'],
        users: [new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/partner-app`)],
        viaServices: ['s3'],
      });
      const partner = stackIn(app, 'S3Partner', { account: OTHER_ACCOUNT });
      partner.node.addDependency(keys);
      const bucket = new s3.Bucket(partner, 'Bucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: undefined,
      });
      (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID',
        `arn:aws:kms:${REGION}:${ACCOUNT}:alias/shared/s3`);
      const partnerApp = new iam.Role(partner, 'PartnerApp', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'partner-app' });
      const withoutKms = role(partner, 'PartnerNoKms');
      for (const r of [partnerApp, withoutKms]) bucket.grantReadWrite(r);
      partnerApp.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/*`] }));
    });
    await expect(deployment).toAllowUse('PartnerApp', 'Bucket', 'read');
    await expect(deployment).toAllowUse('PartnerApp', 'Bucket', 'write');
    // The key policy names partner-app only, and PartnerNoKms's IAM policy names no key of the other account.
    await expect(deployment).toDenyUse('PartnerNoKms', 'Bucket', 'read');
  });

  test('multi-Region: a bucket in the replica region uses the replica, whose policy names that region\'s S3', async () => {
    const deployment = await deploy(app => {
      const primaryStack = stackIn(app, 'S3MrkPrimary', { crossRegionReferences: true });
      const replicaStack = stackIn(app, 'S3MrkReplica', { region: OTHER_REGION, crossRegionReferences: true });
      const app_ = new iam.Role(primaryStack, 'App', { assumedBy: new iam.AccountRootPrincipal(), roleName: 's3-mrk-app' });
      const primary = new MultiRegionKey(primaryStack, 'Key', { users: [app_], viaServices: ['s3'] });
      replicaStack.node.addDependency(primaryStack);
      const replica = new GuardedReplicaKey(replicaStack, 'Replica', { primary });
      new s3.Bucket(replicaStack, 'Bucket', { encryptionKey: replica, bucketName: 's3-mrk-replica-data' });
      // (The local deployment attaches a policy only to roles of its own stack: grant from the role's stack.)
      app_.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::s3-mrk-replica-data/*'] }));
      new s3.Bucket(primaryStack, 'PrimaryBucket', { encryptionKey: primary }).grantReadWrite(app_);
    });
    await expect(deployment).toAllowUse('App', 'PrimaryBucket', 'write');
    await expect(deployment).toAllowUse('App', 'S3MrkReplica/Bucket', 'read');
    await expect(deployment).toAllowUse('App', 'S3MrkReplica/Bucket', 'write');
  });
});
