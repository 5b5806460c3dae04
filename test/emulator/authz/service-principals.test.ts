import { CreateGrantCommand, CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EmulatorClientOptions, kmsClientFor, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { loadConfig } from '../../../src/emulator/config';
import { errorOf } from '../support';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const LOGS = `logs.${REGION}.amazonaws.com`;
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`;

/**
 * Services that call KMS as themselves (CloudWatch Logs, SNS): a key policy statement naming the service, or a
 * grant to it, is the only way in; the account-root statement (which trusts IAM) never lets a service in.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
describe('service principals calling KMS as themselves', () => {
  let emulator: RunningEmulator;
  const clients: KMSClient[] = [];
  const root: PrincipalConfig = { arn: ROOT, accessKeyId: 'AKIAROOTTEST', secretAccessKey: 'root-secret' };
  const logs: PrincipalConfig = { arn: LOGS, accessKeyId: 'AKIALOGSTEST', secretAccessKey: 'logs-secret' };
  const as = (p: PrincipalConfig, options: EmulatorClientOptions = {}) => {
    const c = kmsClientFor(emulator, { region: REGION, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...options });
    clients.push(c);
    return c;
  };
  const rootStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
  const keyWith = async (...statements: unknown[]) => (await as(root).send(new CreateKeyCommand({
    Policy: JSON.stringify({ Version: '2012-10-17', Statement: [rootStatement, ...statements] }),
  }))).KeyMetadata!.Arn!;
  const generate = (client: KMSClient, KeyId: string, context: Record<string, string>) =>
    client.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }));

  beforeAll(async () => {
    emulator = await startEmulator({ config: { principals: [root, logs] } });
  });
  afterAll(async () => {
    clients.forEach(c => c.destroy());
    await emulator.stop();
  });

  test('GIVEN the Logs statement of the AWS guide WHEN Logs calls with its context THEN allowed, and another log group is denied', async () => {
    const key = await keyWith({
      Sid: 'Logs',
      Effect: 'Allow',
      Principal: { Service: LOGS },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app` } },
    });
    await generate(as(logs), key, { 'aws:logs:arn': LOG_GROUP });
    const denied = await errorOf(generate(as(logs), key, { 'aws:logs:arn': `${LOG_GROUP}-other` }));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(`User: ${LOGS} is not authorized to perform: kms:GenerateDataKey`);
  });

  test('the account-root statement does not let a service in (it trusts IAM, and a service has no IAM policies)', async () => {
    const key = await keyWith();
    expect((await errorOf(generate(as(logs), key, { 'aws:logs:arn': LOG_GROUP }))).name).toBe('AccessDeniedException');
    const decision = emulator.decisions().at(-1)!;
    expect(decision.request.conditionContext['kms:CallerAccount']).toBeUndefined();
    expect(decision.request.conditionContext['aws:PrincipalServiceName']).toBe(LOGS);
  });

  test('a Service principal element never matches an IAM caller, and an AWS element never matches the service', async () => {
    const key = await keyWith({ Effect: 'Allow', Principal: { AWS: ROOT, Service: 'sns.amazonaws.com' }, Action: 'kms:GenerateDataKey', Resource: '*' });
    expect((await errorOf(generate(as(logs), key, {}))).name).toBe('AccessDeniedException');
  });

  test('aws:SourceAccount and aws:SourceArn come from what the service acts for', async () => {
    const key = await keyWith({
      Effect: 'Allow',
      Principal: { Service: LOGS },
      Action: 'kms:GenerateDataKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:logs:${REGION}:${ACCOUNT}:*` } },
    });
    await generate(as(logs, { sourceAccount: ACCOUNT, sourceArn: LOG_GROUP }), key, {});
    expect((await errorOf(generate(as(logs, { sourceAccount: '444455556666', sourceArn: LOG_GROUP }), key, {}))).name).toBe('AccessDeniedException');
    expect((await errorOf(generate(as(logs), key, {}))).name).toBe('AccessDeniedException');
  });

  test('a grant to the service principal lets it in; kms:GrantIsForAWSResource is true only for a grant created via a service', async () => {
    const key = await keyWith();
    const grant = (client: KMSClient) => client.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: LOGS, Operations: ['GenerateDataKey'] }));
    await grant(as(root, { viaService: 'logs' }));
    expect(emulator.decisions().at(-1)!.request.conditionContext['kms:GrantIsForAWSResource']).toBe(true);
    await grant(as(root));
    expect(emulator.decisions().at(-1)!.request.conditionContext['kms:GrantIsForAWSResource']).toBe(false);
    await generate(as(logs), key, {});
    expect(emulator.decisions().at(-1)!.reason).toMatch(/^allowed by grant/);
  });

  test('the configuration accepts service principals and still refuses other names', () => {
    expect(() => loadConfig({ principals: [logs] })).not.toThrow();
    expect(() => loadConfig({ principals: [{ ...logs, arn: 'logs.example.com' }] })).toThrow(/must be an IAM ARN \(root, role or user\) or a service principal/);
  });
});
