import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { role, servicesFixture, stackIn } from './support';
import { GuardedKey } from '../../../src';

/**
 * SQS (`aws:sqs:arn`) and SNS (`aws:sns:topicArn`): each calls KMS with the producer's credentials through the
 * service; SNS delivering to a queue, and EventBridge publishing to a topic, call KMS as their service principal.
 */
describe('SQS and SNS through the emulator', () => {
  const { deploy } = servicesFixture();

  test('SQS: grantSendMessages writes (GenerateDataKey and Decrypt), grantConsumeMessages reads', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SqsPlain');
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new GuardedKey(stack, 'Key') });
      queue.grantSendMessages(role(stack, 'Producer'));
      queue.grantConsumeMessages(role(stack, 'Consumer'));
    });
    await expect(deployment).toAllowUse('Producer', 'Queue', 'write');
    await expect(deployment).toAllowUse('Consumer', 'Queue', 'read');
    await expect(deployment).toDenyUse('Consumer', 'Queue', 'write');
    await expect(deployment).toDenyUse('Producer', 'Queue', 'read');
    // SQS sends only its own context: a caller's is refused rather than silently sent.
    await expect(expect(deployment).toAllowUse('Producer', 'Queue', 'write', { encryptionContext: { tenant: 'a' } })).rejects.toThrow('SQS sends only its own encryption context');
  });

  test('SQS strict: producer and consumer listed as encryptor and decryptor, through SQS only', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SqsStrictListed');
      const producer = role(stack, 'Producer');
      const consumer = role(stack, 'Consumer');
      // A producer needs Decrypt too (SQS checks the data key it reuses), so it is a user, not an encryptor.
      const key = new GuardedKey(stack, 'Key', { strict: true, users: [producer], decryptors: [consumer], viaServices: ['sqs'] });
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
      queue.grantSendMessages(producer);
      queue.grantConsumeMessages(consumer);
    });
    await expect(deployment).toAllowUse('Producer', 'Queue', 'write');
    await expect(deployment).toAllowUse('Consumer', 'Queue', 'read');
    await expect(deployment).toDenyUse('Consumer', 'Queue', 'write');
  });

  test('SQS strict: queue.grantSendMessages reaches the key policy (GuardedKey lists the grantee), so the producer writes', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SqsStrictGrants');
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new GuardedKey(stack, 'Key', { strict: true }) });
      queue.grantSendMessages(role(stack, 'Producer'));
    });
    await expect(deployment).toAllowUse('Producer', 'Queue', 'write');
  });

  test('SQS strict: an encryptor-only producer is refused, because SQS also decrypts for the producer; the message names the statement', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SqsEncryptorOnly');
      const producer = role(stack, 'Producer');
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new GuardedKey(stack, 'Key', { strict: true, encryptors: [producer], viaServices: ['sqs'] }) });
      producer.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    });
    const explained = await expect(deployment).toAllowUse('Producer', 'Queue', 'write').then(() => '', (e: Error) => e.message);
    expect(explained).toMatch(/kms:GenerateDataKey as \S+ via sqs\.eu-west-1\.amazonaws\.com with context \{"aws:sqs:arn":"arn:aws:sqs:eu-west-1:111122223333:\S+"\} on \S+ \(eu-west-1\): allowed — allowed by the key policy statement .AllowEncryptOnly./);
    expect(explained).toMatch(/kms:Decrypt as \S+ via sqs\.eu-west-1\.amazonaws\.com .*: denied \(AccessDeniedException\) — explicitly denied by the key policy statement 'DenyDecryptToUnlistedPrincipals'/);
  });

  test('policy update: a second deployment that adds the consumer as a user lets it read', async () => {
    const build = (withConsumer: boolean) => deploy(app => {
      const stack = stackIn(app, 'SqsUpdate');
      const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'sqs-update-consumer' });
      const key = new GuardedKey(stack, 'Key', { strict: true, decryptors: withConsumer ? [consumer] : [], viaServices: ['sqs'] });
      new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key, queueName: 'sqs-update' });
      consumer.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage'], resources: [`arn:aws:sqs:${stack.region}:${stack.account}:sqs-update`] }));
    });
    await expect(await build(false)).toDenyUse('Consumer', 'Queue', 'read');
    await expect(await build(true)).toAllowUse('Consumer', 'Queue', 'read');
  });

  test('SNS: grantPublish writes through SNS; subscribing makes no KMS request', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SnsPlain');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new GuardedKey(stack, 'Key') });
      topic.grantPublish(role(stack, 'Publisher'));
      role(stack, 'Other');
    });
    await expect(deployment).toAllowUse('Publisher', 'Topic', 'write');
    await expect(deployment).toDenyUse('Other', 'Topic', 'write');
  });

  test('SNS strict: a role given access with topic.grantPublish publishes through SNS (the grant registers it)', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SnsStrict');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new GuardedKey(stack, 'Key', { strict: true }) });
      topic.grantPublish(role(stack, 'Publisher'));
    });
    await expect(deployment).toAllowUse('Publisher', 'Topic', 'write');
  });

  test('SNS strict: a publisher listed as a user, through SNS', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SnsStrictUsers');
      const publisher = role(stack, 'Publisher');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new GuardedKey(stack, 'Key', { strict: true, users: [publisher], viaServices: ['sns'] }) });
      topic.grantPublish(publisher);
    });
    await expect(deployment).toAllowUse('Publisher', 'Topic', 'write');
  });

  test('SNS to an encrypted queue: SNS delivers as sns.amazonaws.com, which the plain key policy lets in', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SnsToSqsPlain');
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
      new sns.Topic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
      new sns.Topic(stack, 'Unsubscribed');
    });
    await expect(deployment).toAllowUse('Topic', 'Queue', 'write');
    // The queue policy admits only the subscribed topic (aws:SourceArn).
    await expect(deployment).toDenyUse('Unsubscribed', 'Queue', 'write');
  });

  test('SNS to SQS strict: SNS delivers to a queue on a strict key (its statement narrowed to this account)', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'SnsToSqsGuarded');
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new GuardedKey(stack, 'Key', { strict: true }) });
      new sns.Topic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
    });
    await expect(deployment).toAllowUse('Topic', 'Queue', 'write');
  });

  test('EventBridge to an encrypted topic: the SnsTopic target names events.amazonaws.com in a plain key\'s policy', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EventsToSnsPlain');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
      new events.Rule(stack, 'Rule', { schedule: events.Schedule.expression('rate(1 hour)'), targets: [new targets.SnsTopic(topic)] });
    });
    await expect(deployment).toAllowUse('Rule', 'Topic', 'write');
    // A service principal that is not named is refused: the service principal is not the account.
    await expect(deployment).toDenyUse('cloudwatch.amazonaws.com', 'Topic', 'write');
  });

  test('EventBridge to a topic under a GuardedKey', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EventsToSnsGuarded');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new GuardedKey(stack, 'Key') });
      new events.Rule(stack, 'Rule', { schedule: events.Schedule.expression('rate(1 hour)'), targets: [new targets.SnsTopic(topic)] });
    });
    await expect(deployment).toAllowUse('Rule', 'Topic', 'write');
  });

  test('EventBridge to SNS strict: the rule publishes to a topic on a strict key', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'EventsToSnsStrict');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: new GuardedKey(stack, 'Key', { strict: true }) });
      new events.Rule(stack, 'Rule', { schedule: events.Schedule.expression('rate(1 hour)'), targets: [new targets.SnsTopic(topic)] });
    });
    await expect(deployment).toAllowUse('Rule', 'Topic', 'write');
  });
});
