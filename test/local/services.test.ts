import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { checkServiceUse, deployLocally, LocalDeployment, measureServiceUses, renderServiceUses, SERVICE_MODELS } from '../../src/local';
import { servicePhysical } from '../../src/local/services/physical';

describe('services: models', () => {
  test('every service file cites the AWS page it follows, and every model names one', () => {
    for (const model of SERVICE_MODELS) {
      expect(model.documentation).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
    const files = ['s3', 'sqs', 'sns', 'dynamodb', 'secrets-manager', 'logs', 'ebs', 'lambda', 'rds', 'kinesis'];
    for (const file of files) {
      expect(readFileSync(join(__dirname, '../../src/local/services', `${file}.ts`), 'utf8')).toMatch(/@see https:\/\/docs\.aws\.amazon\.com\//);
    }
    expect(SERVICE_MODELS.map(m => m.title)).toEqual(['S3', 'SQS', 'SNS', 'DynamoDB', 'Secrets Manager', 'CloudWatch Logs', 'EBS', 'Lambda', 'RDS', 'Kinesis']);
  });

  test.each([
    ['AWS::S3::Bucket', { BucketName: 'data' }, 'data', { Arn: 'arn:aws:s3:::data' }],
    ['AWS::SQS::Queue', { QueueName: 'jobs' }, 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs', { Arn: 'arn:aws:sqs:eu-west-1:111122223333:jobs' }],
    ['AWS::SNS::Topic', { TopicName: 'news' }, 'arn:aws:sns:eu-west-1:111122223333:news', { TopicName: 'news' }],
    ['AWS::DynamoDB::Table', { TableName: 't' }, 't', { Arn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t' }],
    ['AWS::Logs::LogGroup', { LogGroupName: 'app' }, 'app', { Arn: 'arn:aws:logs:eu-west-1:111122223333:log-group:app:*' }],
    ['AWS::Kinesis::Stream', { Name: 's' }, 's', { Arn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/s' }],
    ['AWS::Lambda::Function', { FunctionName: 'f' }, 'f', { Arn: 'arn:aws:lambda:eu-west-1:111122223333:function:f' }],
    ['AWS::RDS::DBCluster', { DBClusterIdentifier: 'db' }, 'db', { DBClusterArn: 'arn:aws:rds:eu-west-1:111122223333:cluster:db' }],
  ])('%s gets the physical id and ARN AWS returns', (type, properties, ref, attributes) => {
    const physical = servicePhysical(type, 'Stack-Generated-ABC', properties, '111122223333', 'eu-west-1')!;
    expect(physical.ref).toBe(ref);
    for (const [name, value] of Object.entries(attributes)) expect(physical.attributes[name]).toBe(value);
  });

  test('a generated S3 bucket name is lowercase; other types keep their placeholders', () => {
    expect(servicePhysical('AWS::S3::Bucket', 'Stack-Bucket-ABC', {}, '111122223333', 'eu-west-1')!.ref).toBe('stack-bucket-abc');
    expect(servicePhysical('AWS::EC2::VPC', 'Stack-Vpc-ABC', {}, '111122223333', 'eu-west-1')).toBeUndefined();
  });
});

describe('services: checks against a deployment', () => {
  let emulator: RunningEmulator;
  let deployment: LocalDeployment;

  beforeAll(async () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:enable-path-metadata': true } }), 'Svc', { env: { account: '111122223333', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    bucket.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
    new iam.Role(stack, 'Bucket2', { assumedBy: new iam.AccountRootPrincipal() });
    emulator = await startEmulator();
    deployment = await deployLocally(Template.fromStack(stack).toJSON(), { emulator, stackName: 'Svc', account: '111122223333', region: 'eu-west-1' });
  });
  afterAll(async () => {
    deployment.close();
    await emulator.stop();
  });

  test('deployment.resources lists every resource with its resolved properties and physical values', () => {
    const bucket = deployment.resources.find(r => r.type === 'AWS::S3::Bucket')!;
    const key = deployment.keys[0];
    expect(bucket).toMatchObject({ stack: 'Svc', account: '111122223333', region: 'eu-west-1' });
    expect(bucket.properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toBe(key.arn);
    expect(bucket.attributes.Arn).toBe(`arn:aws:s3:::${bucket.ref}`);
    expect(deployment.resources.map(r => r.type)).toEqual(expect.arrayContaining(['AWS::KMS::Key', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::S3::Bucket']));
  });

  test('a use names the IAM action and each KMS request with its caller, service and context', async () => {
    const bucket = deployment.resources.find(r => r.type === 'AWS::S3::Bucket')!;
    const result = await checkServiceUse(deployment, 'Reader', bucket.logicalId, 'read');
    expect(result.allowed).toBe(true);
    expect(result.iam).toEqual([expect.objectContaining({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket.ref}/guarded-keys-check`, allowed: true })]);
    expect(result.kms).toEqual([expect.objectContaining({
      allowed: true,
      viaService: 's3.eu-west-1.amazonaws.com',
      caller: deployment.principal('Reader').arn,
      call: expect.objectContaining({ operation: 'Decrypt', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket.ref}/guarded-keys-check` } }),
    })]);
  });

  test('a service principal named directly has no IAM policies: the bucket policy must admit it', async () => {
    const bucket = deployment.resources.find(r => r.type === 'AWS::S3::Bucket')!;
    const result = await checkServiceUse(deployment, 'logs.eu-west-1.amazonaws.com', bucket.logicalId, 'write');
    expect(result.allowed).toBe(false);
    expect(result.iam[0].allowed).toBe(false);
  });

  test('a resource no service model covers, or a name that matches nothing, is an error naming it', async () => {
    const role = deployment.resources.find(r => r.type === 'AWS::IAM::Role')!;
    await expect(checkServiceUse(deployment, 'Reader', role.logicalId, 'read')).rejects.toThrow(/does not act as the service of AWS::IAM::Role .* it models AWS::S3::Bucket, AWS::SQS::Queue/);
    await expect(checkServiceUse(deployment, 'Reader', 'NoSuchThing', 'read')).rejects.toThrow('no resource named NoSuchThing in the deployment');
  });

  test('the measured service uses of a key read as sentences', async () => {
    const measured = await measureServiceUses(deployment, deployment.keys[0]);
    expect(measured.cells.filter(c => c.allowed).map(c => `${c.principal} ${c.mode} ${c.resource}`)).toEqual(['Reader read Bucket']);
    const text = renderServiceUses(measured);
    expect(text).toContain('Reader reads Bucket via S3: yes');
    expect(text).toContain('Reader writes Bucket via S3: no — no IAM policy allows s3:PutObject');
  });
});
