import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { OTHER_REGION, REGION, role, servicesFixture, stackIn } from './support';
import { GuardedKey, GuardedReplicaKey, MultiRegionKey } from '../../../src';
import { checkServiceUse } from '../../../src/local';

const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

/**
 * DynamoDB (a grant at table creation, `aws:dynamodb:tableName` + `aws:dynamodb:subscriberId`), Secrets Manager
 * (`SecretARN`, GenerateDataKey as the deploying role for a generated value) and CloudWatch Logs (the
 * `logs.<region>.amazonaws.com` service principal, `aws:logs:arn`).
 */
describe('DynamoDB, Secrets Manager and CloudWatch Logs through the emulator', () => {
  const { deploy, emulator } = servicesFixture();

  test('DynamoDB Table: creation makes DynamoDB\'s grant; grantReadData reads, grantWriteData writes', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'DdbTable');
      const table = new dynamodb.Table(stack, 'Table', {
        partitionKey, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: new GuardedKey(stack, 'Key'), removalPolicy: RemovalPolicy.DESTROY,
      });
      table.grantReadData(role(stack, 'Reader'));
      table.grantWriteData(role(stack, 'Writer'));
      role(stack, 'Other');
    });
    await expect(deployment).toAllowUse('Reader', 'Table', 'read');
    await expect(deployment).toAllowUse('Writer', 'Table', 'write');
    await expect(deployment).toDenyUse('Other', 'Table', 'read');
    // DynamoDB's grant, created through DynamoDB at table creation, is for an AWS resource.
    const grant = emulator().decisions().find(d => d.action === 'kms:CreateGrant' && d.request.conditionContext['kms:ViaService'] === `dynamodb.${REGION}.amazonaws.com`);
    expect(grant?.request.conditionContext['kms:GrantIsForAWSResource']).toBe(true);
  });

  test('DynamoDB TableV2 with a customer managed key', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'DdbTableV2');
      const table = new dynamodb.TableV2(stack, 'Table', {
        partitionKey, encryption: dynamodb.TableEncryptionV2.customerManagedKey(new GuardedKey(stack, 'Key')), removalPolicy: RemovalPolicy.DESTROY,
      });
      table.grantReadData(role(stack, 'Reader'));
    });
    await expect(deployment).toAllowUse('Reader', 'Table', 'read');
  });

  test('multi-Region: a TableV2 replica in us-east-1 under the MultiRegionKey\'s replica there', async () => {
    const deployment = await deploy(app => {
      const keys = stackIn(app, 'DdbMrkKeys', { crossRegionReferences: true });
      const replicas = stackIn(app, 'DdbMrkReplica', { region: OTHER_REGION, crossRegionReferences: true });
      const tables = stackIn(app, 'DdbMrkTable', { crossRegionReferences: true });
      const primary = new MultiRegionKey(keys, 'Key');
      new GuardedReplicaKey(replicas, 'Replica', { primary });
      replicas.node.addDependency(keys);
      tables.node.addDependency(replicas);
      const table = new dynamodb.TableV2(tables, 'Table', {
        partitionKey,
        replicas: [{ region: OTHER_REGION }],
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(primary, { [OTHER_REGION]: `arn:aws:kms:${OTHER_REGION}:${tables.account}:key/${primary.keyId}` }),
      });
      const reader = role(tables, 'Reader');
      table.grantReadData(reader);
      table.replica(OTHER_REGION).grantReadData(reader);
      role(tables, 'PrimaryOnly');
      table.grantReadData(tables.node.findChild('PrimaryOnly') as iam.Role);
    });
    const table = deployment.resources.find(r => r.type === 'AWS::DynamoDB::GlobalTable')!;
    expect(table.properties.Replicas.map((r: { Region: string }) => r.Region).sort()).toEqual([REGION, OTHER_REGION]);
    // A read of a global table is checked in every region, each with that region's key: a grant on the primary
    // region's table alone does not reach the replica (CDK's table.replica(region).grant...).
    await expect(deployment).toAllowUse('Reader', 'Table', 'read');
    await expect(deployment).toDenyUse('PrimaryOnly', 'Table', 'read');
    const result = await checkServiceUse(deployment, 'Reader', 'Table', 'read');
    expect(result.kms.map(k => `${k.region} ${k.keyId.split(':')[3]}`).sort()).toEqual([`${REGION} ${REGION}`, `${OTHER_REGION} ${OTHER_REGION}`]);
    expect(result.iam.map(i => i.resource.split(':')[3]).sort()).toEqual([REGION, OTHER_REGION]);
    const primaryOnly = await checkServiceUse(deployment, 'PrimaryOnly', 'Table', 'read');
    expect(primaryOnly.iam.filter(i => !i.allowed).map(i => i.resource.split(':')[3])).toEqual([OTHER_REGION]);
  });

  test('DynamoDB: users through dynamodb only', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'DdbViaService');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { users: [app_], viaServices: ['dynamodb'], allowGrantsForAwsResources: true });
      new dynamodb.Table(stack, 'Table', { partitionKey, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }).grantReadWriteData(app_);
    });
    await expect(deployment).toAllowUse('App', 'Table', 'read');
    await expect(deployment).toAllowUse('App', 'Table', 'write');
  });

  test('DynamoDB strict: the table is created and used through the grant DynamoDB makes (services calling as themselves are outside the denies)', async () => {
    // The deployment itself fails: DynamoDB's grantee service principal is denied by strict mode's deny statements.
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'DdbStrict');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { strict: true, users: [app_], viaServices: ['dynamodb'], allowGrantsForAwsResources: true });
      new dynamodb.TableV2(stack, 'Table', { partitionKey, encryption: dynamodb.TableEncryptionV2.customerManagedKey(key) }).grantReadWriteData(app_);
    });
    await expect(deployment).toAllowUse('App', 'Table', 'read');
  });

  test('DynamoDB: a key policy that denies grants fails the table like CloudFormation, naming the resource, the call and the reason', async () => {
    await expect(deploy(app => {
      const stack = stackIn(app, 'DdbNoGrants');
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'NoGrants', effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['kms:CreateGrant'], resources: ['*'] }));
      new dynamodb.Table(stack, 'Table', { partitionKey, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key });
    })).rejects.toThrow(new RegExp('DdbNoGrants/Table \\(AWS::DynamoDB::Table\\) CREATE_FAILED: .*is not authorized to perform: kms:CreateGrant'
      + '.*kms:CreateGrant as arn:aws:iam::111122223333:\\S+ via dynamodb\\.eu-west-1\\.amazonaws\\.com \\(grantee dynamodb\\.eu-west-1\\.amazonaws\\.com'
      + ".*decided by: explicitly denied by the key policy statement 'NoGrants'"));
  });

  test('Secrets Manager: a generated value is encrypted at creation by the deploying role; grantRead reads', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SecretPlain');
      const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new GuardedKey(stack, 'Key') });
      secret.grantRead(role(stack, 'Reader'));
      secret.grantWrite(role(stack, 'Writer'));
    });
    await expect(deployment).toAllowUse('Reader', 'Secret', 'read');
    await expect(deployment).toDenyUse('Reader', 'Secret', 'write');
    await expect(deployment).toAllowUse('Writer', 'Secret', 'write');
  });

  test('Secrets Manager: users through secretsmanager with the SecretARN context required', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SecretContext');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { users: [app_], viaServices: ['secretsmanager'], requiredEncryptionContext: { SecretARN: '*' } });
      new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key }).grantRead(app_);
    });
    await expect(deployment).toAllowUse('App', 'Secret', 'read');
  });

  test('Secrets Manager strict: the reader listed as a user reads', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SecretStrictUsers');
      const app_ = role(stack, 'App');
      const key = new GuardedKey(stack, 'Key', { strict: true, users: [app_], viaServices: ['secretsmanager'] });
      new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key }).grantRead(app_);
    });
    await expect(deployment).toAllowUse('App', 'Secret', 'read');
  });

  test('Secrets Manager strict: secret.grantRead lists the reader on the key (GuardedKey\'s grant methods), so it reads', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SecretStrictGrantRead');
      const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new GuardedKey(stack, 'Key', { strict: true }) });
      secret.grantRead(role(stack, 'Reader'));
    });
    await expect(deployment).toAllowUse('Reader', 'Secret', 'read');
  });

  test('CloudWatch Logs: a key policy naming logs.<region>.amazonaws.com for the log group; grantWrite writes, the service encrypts', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'LogsPlain');
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${stack.account}:log-group:app-logs` } },
      }));
      const group = new logs.LogGroup(stack, 'Group', { logGroupName: 'app-logs', encryptionKey: key });
      group.grantWrite(role(stack, 'Writer'));
      group.grantRead(role(stack, 'Reader'));
    });
    await expect(deployment).toAllowUse('Writer', 'Group', 'write');
    await expect(deployment).toAllowUse('Reader', 'Group', 'read');
    await expect(deployment).toDenyUse('Writer', 'Group', 'read');
  });

  test('CloudWatch Logs: a key policy without the Logs statement fails the deployment at the log group', async () => {
    await expect(deploy(app => {
      const stack = stackIn(app, 'LogsNoStatement');
      new logs.LogGroup(stack, 'Group', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    })).rejects.toThrow(/LogsNoStatement\/Group \(AWS::Logs::LogGroup\) CREATE_FAILED: .*kms:GenerateDataKey as logs\.eu-west-1\.amazonaws\.com with context \{"aws:logs:arn":"arn:aws:logs:eu-west-1:111122223333:log-group:[^"]+"\}/);
  });

  test('CloudWatch Logs with a GuardedKey given the Logs statement', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'LogsGuarded');
      const key = new GuardedKey(stack, 'Key');
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${stack.account}:log-group:*` } },
      }));
      new logs.LogGroup(stack, 'Group', { encryptionKey: key }).grantWrite(role(stack, 'Writer'));
    });
    await expect(deployment).toAllowUse('Writer', 'Group', 'write');
  });

  test('Logs strict: CloudWatch Logs writes with a statement naming it, narrowed to this account', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'LogsStrict');
      const key = new GuardedKey(stack, 'Key', { strict: true });
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)], actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], resources: ['*'],
      }));
      new logs.LogGroup(stack, 'Group', { encryptionKey: key }).grantWrite(role(stack, 'Writer'));
    });
    await expect(deployment).toAllowUse('Writer', 'Group', 'write');
  });
});
