import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Stack } from 'aws-cdk-lib/core';
import { REGION, role, servicesFixture, stackIn } from './support';
import { GuardedKey } from '../../../src';

/**
 * EBS (EC2's grant, `aws:ebs:id`), Lambda environment encryption (`aws:lambda:FunctionArn`), RDS instances and
 * clusters (RDS's grant) and Kinesis streams (`aws:kinesis:arn`).
 */
describe('EBS, Lambda, RDS and Kinesis through the emulator', () => {
  const { deploy } = servicesFixture();

  const volume = (stack: Stack, key: GuardedKey) =>
    new ec2.Volume(stack, 'Volume', { availabilityZone: `${REGION}a`, size: Size.gibibytes(10), encrypted: true, encryptionKey: key });

  test('EBS: creation makes EC2\'s data key and grant; grantAttachVolume attaches through a grant for the instance', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EbsPlain');
      volume(stack, new GuardedKey(stack, 'Key')).grantAttachVolume(role(stack, 'Operator'));
      role(stack, 'Other');
    });
    await expect(deployment).toAllowUse('Operator', 'Volume', 'write');
    await expect(deployment).toDenyUse('Other', 'Volume', 'read');
  });

  test('EBS: users through ec2 with grants for AWS resources', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EbsViaService');
      const operator = role(stack, 'Operator');
      volume(stack, new GuardedKey(stack, 'Key', { users: [operator], viaServices: ['ec2'], allowGrantsForAwsResources: true })).grantAttachVolume(operator);
    });
    await expect(deployment).toAllowUse('Operator', 'Volume', 'read');
  });

  test('EBS strict: the volume is created and attached through the grant EC2 makes', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EbsStrict');
      const operator = role(stack, 'Operator');
      volume(stack, new GuardedKey(stack, 'Key', { strict: true, users: [operator], viaServices: ['ec2'], allowGrantsForAwsResources: true })).grantAttachVolume(operator);
    });
    await expect(deployment).toAllowUse('Operator', 'Volume', 'read');
  });

  const fn = (stack: Stack, key: GuardedKey) => new lambda.Function(stack, 'Function', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
    environment: { SETTING: 'value' },
    environmentEncryption: key,
  });
  const configReader = (stack: Stack, id: string, actions: string[]) => {
    const r = role(stack, id);
    r.addToPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
    return r;
  };

  test('Lambda: the environment is encrypted at creation; a user of the key reads and writes the configuration', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'LambdaPlain');
      const reader = configReader(stack, 'Reader', ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration']);
      configReader(stack, 'NoKey', ['lambda:GetFunctionConfiguration']);
      fn(stack, new GuardedKey(stack, 'Key', { users: [reader], viaServices: ['lambda'] }));
    });
    await expect(deployment).toAllowUse('Reader', 'Function', 'read');
    await expect(deployment).toAllowUse('Reader', 'Function', 'write');
    await expect(deployment).toDenyUse('NoKey', 'Function', 'read');
  });

  test('Lambda strict: the configuration reader listed as a decryptor', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'LambdaStrict');
      const reader = configReader(stack, 'Reader', ['lambda:GetFunctionConfiguration']);
      fn(stack, new GuardedKey(stack, 'Key', { strict: true, decryptors: [reader], viaServices: ['lambda'], allowGrantsForAwsResources: true }));
    });
    await expect(deployment).toAllowUse('Reader', 'Function', 'read');
    await expect(deployment).toDenyUse('Reader', 'Function', 'write');
  });

  const dbUser = (stack: Stack) => configReader(stack, 'DbUser', ['rds-db:connect', 'rds-data:ExecuteStatement']);

  test('RDS instance: RDS\'s grant at creation; a database user reads without any KMS permission of its own', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'RdsInstance');
      dbUser(stack);
      new rds.CfnDBInstance(stack, 'Database', {
        engine: 'postgres',
        dbInstanceClass: 'db.t4g.micro',
        allocatedStorage: '20',
        masterUsername: 'admin',
        manageMasterUserPassword: true,
        storageEncrypted: true,
        kmsKeyId: new GuardedKey(stack, 'Key', { allowGrantsForAwsResources: true }).keyArn,
      });
    });
    await expect(deployment).toAllowUse('DbUser', 'Database', 'read');
    await expect(deployment).toAllowUse('DbUser', 'Database', 'write');
  });

  test('RDS cluster', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'RdsCluster');
      dbUser(stack);
      new rds.CfnDBCluster(stack, 'Cluster', {
        engine: 'aurora-postgresql',
        masterUsername: 'admin',
        manageMasterUserPassword: true,
        storageEncrypted: true,
        kmsKeyId: new GuardedKey(stack, 'Key').keyArn,
      });
    });
    await expect(deployment).toAllowUse('DbUser', 'Cluster', 'read');
  });

  test('RDS strict: the cluster is created through the grant RDS makes', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'RdsStrict');
      dbUser(stack);
      new rds.CfnDBCluster(stack, 'Cluster', {
        engine: 'aurora-postgresql',
        masterUsername: 'admin',
        manageMasterUserPassword: true,
        storageEncrypted: true,
        kmsKeyId: new GuardedKey(stack, 'Key', { strict: true, allowGrantsForAwsResources: true }).keyArn,
      });
    });
    await expect(deployment).toAllowUse('DbUser', 'Cluster', 'read');
  });

  test('Kinesis: grantRead reads, grantWrite writes', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'KinesisPlain');
      const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: new GuardedKey(stack, 'Key') });
      stream.grantRead(role(stack, 'Consumer'));
      stream.grantWrite(role(stack, 'Producer'));
    });
    await expect(deployment).toAllowUse('Consumer', 'Stream', 'read');
    await expect(deployment).toAllowUse('Producer', 'Stream', 'write');
    await expect(deployment).toDenyUse('Consumer', 'Stream', 'write');
  });

  test('Kinesis strict: producer and consumer listed, through kinesis', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'KinesisStrict');
      const producer = role(stack, 'Producer');
      const consumer = role(stack, 'Consumer');
      const key = new GuardedKey(stack, 'Key', { strict: true, encryptors: [producer], decryptors: [consumer], viaServices: ['kinesis'] });
      const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
      stream.grantRead(consumer);
      stream.grantWrite(producer);
    });
    await expect(deployment).toAllowUse('Consumer', 'Stream', 'read');
    await expect(deployment).toAllowUse('Producer', 'Stream', 'write');
    await expect(deployment).toDenyUse('Producer', 'Stream', 'read');
  });
});
