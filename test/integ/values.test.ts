import { CancelKeyDeletionCommand, DisableKeyCommand, EnableKeyCommand, GenerateDataKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { App } from 'aws-cdk-lib';
import { buildValuesApp, VALUES_ACCOUNT, VALUES_CONTEXT, VALUES_REGION, ValuesAppOptions } from '../../integ/integ.values';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { KmsAccessError, open, seal } from '../../src/envelope';
import { deployLocally, LocalDeployment } from '../../src/local';
import { localCustomResourceFaults } from '../../src/local/resources/guarded-keys-values';
import { FaultyKms } from '../custom-resource/support';
import { ensureHandlerBundle } from '../support/handler-bundle';

/**
 * The deploy-time values deployed into the emulator: the bundled handler runs as the function's role, answers a
 * local response URL, and the values open as the application role would open them, and for nobody else.
 */
describe('integ: SealedValue, GeneratedSecret and DataKey deployed into the emulator', () => {
  const SECRET = 'hunter2-but-longer-and-committed';
  let emulator: RunningEmulator;
  let envelope: string;
  const deployments: LocalDeployment[] = [];
  const logs: string[] = [];
  /** Everything the suite saw: the templates deployed, each event sent to the handler, each response body PUT. */
  const seen: string[] = [];

  const templateOf = (options: ValuesAppOptions, edit?: (t: any) => void) => {
    const template = buildValuesApp(options, new App({ context: { 'aws:cdk:enable-path-metadata': true } })).synth().getStackByName('Values').template;
    edit?.(template);
    seen.push(JSON.stringify(template));
    return template;
  };
  const deploy = async (template: unknown) => {
    const d = await deployLocally(template as never, { emulator, account: VALUES_ACCOUNT, region: VALUES_REGION, stackName: 'Values' });
    deployments.push(d);
    return d;
  };
  const envelopeOf = (d: LocalDeployment, logicalPrefix: string) => {
    const resource = d.resources.find(r => r.logicalId.startsWith(logicalPrefix) && r.type.startsWith('Custom::GuardedKeys'))!;
    return Buffer.from(String(resource.attributes.Envelope), 'base64');
  };
  const openAs = async (d: LocalDeployment, role: string, logicalPrefix: string, key: string) => open(envelopeOf(d, logicalPrefix), {
    kms: d.clientFor(role), expect: { keyIds: [d.key(key).arn], encryptionContext: VALUES_CONTEXT },
  });

  beforeAll(async () => {
    ensureHandlerBundle();
    localCustomResourceFaults.log = line => logs.push(line);
    localCustomResourceFaults.exchange = (event, bodies) => seen.push(JSON.stringify(event), ...bodies);
    emulator = await startEmulator();
    // GIVEN the keys deployed, and a value sealed by the Sealer role (as `guarded-keys seal` would)
    const keysOnly = await deploy(templateOf({}));
    const sealed = await seal(Buffer.from(SECRET), { keyIds: [keysOnly.key('SealingKey').arn], encryptionContext: VALUES_CONTEXT, kms: keysOnly.clientFor('Sealer') });
    envelope = Buffer.from(sealed).toString('base64');
  });
  afterAll(async () => {
    delete localCustomResourceFaults.log;
    delete localCustomResourceFaults.exchange;
    deployments.forEach(d => d.close());
    await emulator.stop();
  });
  afterEach(() => {
    delete localCustomResourceFaults.wrapKms;
    delete localCustomResourceFaults.failResponses;
  });

  let first: { secret: string; dataKey: Buffer };

  test('each value is created by the handler and opens for the application role only', async () => {
    // WHEN
    const d = await deploy(templateOf({ envelope }));
    // THEN
    expect(Buffer.from((await openAs(d, 'AppRole', 'DatabasePassword', 'TargetKey')).plaintext).toString()).toBe(SECRET);
    const secret = Buffer.from((await openAs(d, 'AppRole', 'SessionSecret', 'TargetKey')).plaintext).toString();
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
    const dataKey = Buffer.from((await openAs(d, 'AppRole', 'RecordsKey', 'TargetKey')).plaintext);
    expect(dataKey.length).toBe(32);
    first = { secret, dataKey };
    for (const value of ['DatabasePassword', 'SessionSecret', 'RecordsKey']) {
      await expect(openAs(d, 'OtherRole', value, 'TargetKey')).rejects.toThrow(KmsAccessError);
      await expect(openAs(d, 'Sealer', value, 'TargetKey')).rejects.toThrow(KmsAccessError);
    }
  });

  test('a redeployment with nothing changed runs no handler and keeps every value', async () => {
    const before = deployments[deployments.length - 1];
    const d = await deploy(templateOf({ envelope }));
    for (const value of ['DatabasePassword', 'SessionSecret', 'RecordsKey']) expect(envelopeOf(d, value).equals(envelopeOf(before, value))).toBe(true);
  });

  test('a key migration rewraps every value to the new key: same secret, same data key', async () => {
    const d = await deploy(templateOf({ envelope, target: 'NewTargetKey' }));
    expect(Buffer.from((await openAs(d, 'AppRole', 'DatabasePassword', 'NewTargetKey')).plaintext).toString()).toBe(SECRET);
    expect(Buffer.from((await openAs(d, 'AppRole', 'SessionSecret', 'NewTargetKey')).plaintext).toString()).toBe(first.secret);
    expect(Buffer.from((await openAs(d, 'AppRole', 'RecordsKey', 'NewTargetKey')).plaintext).equals(first.dataKey)).toBe(true);
  });

  test('throttling and a response URL that fails twice are ridden out', async () => {
    // GIVEN KMS throttles each value's first two calls, and the response URL fails twice per value
    localCustomResourceFaults.wrapKms = client => {
      const faulty = new FaultyKms(client as never);
      faulty.faults.push({ command: '*', times: 2, error: 'ThrottlingException' });
      return faulty;
    };
    localCustomResourceFaults.failResponses = 2;
    // WHEN the values move back to the first key
    const d = await deploy(templateOf({ envelope, target: 'TargetKey' }));
    // THEN
    expect(Buffer.from((await openAs(d, 'AppRole', 'SessionSecret', 'TargetKey')).plaintext).toString()).toBe(first.secret);
  });

  test('a disabled target key fails the deployment with the handler\'s reason, and it rolls back', async () => {
    const before = deployments[deployments.length - 1];
    const admin = before.clientFor('KeyAdmin');
    await admin.send(new DisableKeyCommand({ KeyId: before.key('NewTargetKey').arn }));
    try {
      await expect(deploy(templateOf({ envelope, target: 'NewTargetKey' }))).rejects.toThrow(/KMS key is disabled/);
    } finally {
      await admin.send(new EnableKeyCommand({ KeyId: before.key('NewTargetKey').arn }));
    }
    // The values are still where the last good deployment left them
    const again = await deploy(templateOf({ envelope, target: 'TargetKey' }));
    expect(Buffer.from((await openAs(again, 'AppRole', 'SessionSecret', 'TargetKey')).plaintext).toString()).toBe(first.secret);
  });

  test('a target key pending deletion fails the deployment naming it', async () => {
    const before = deployments[deployments.length - 1];
    const admin = before.clientFor('KeyAdmin');
    const keyId = before.key('NewTargetKey').arn;
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    try {
      await expect(deploy(templateOf({ envelope, target: 'NewTargetKey' }))).rejects.toThrow(/KMS key is pending deletion/);
    } finally {
      await admin.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
      await admin.send(new EnableKeyCommand({ KeyId: keyId }));
    }
  });

  test('a handler denied by its own policy (the context is not the one granted) fails as access denied', async () => {
    const template = templateOf({ envelope, target: 'TargetKey' }, t => {
      const [, resource] = Object.entries<any>(t.Resources).find(([id, r]) => id.startsWith('RecordsKey') && r.Type === 'Custom::GuardedKeysDataKey')!;
      resource.Properties.EncryptionContext = { app: 'other' };
      resource.Properties.Generation = '2';
    });
    await expect(deploy(template)).rejects.toThrow(/access denied by KMS/);
  });

  test('a malformed committed envelope fails as malformed', async () => {
    const template = templateOf({ envelope, target: 'TargetKey' }, t => {
      const [, resource] = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'Custom::GuardedKeysSealedValue')!;
      resource.Properties.Envelope = Buffer.from('not an envelope at all').toString('base64');
    });
    await expect(deploy(template)).rejects.toThrow(/malformed envelope/);
  });

  test('no secret of the suite appears in any handler log line, template, event or response body', () => {
    expect(logs.length).toBeGreaterThan(10);
    expect(seen.filter(text => text.includes('"RequestType"')).length).toBeGreaterThan(10);
    expect(seen.filter(text => text.includes('"Status":"FAILED"')).length).toBeGreaterThan(3);
    const forms = (text: string) => [text, Buffer.from(text).toString('base64'), Buffer.from(text).toString('hex')];
    for (const secret of [...forms(SECRET), ...forms(first.secret), first.dataKey.toString('base64'), first.dataKey.toString('hex')]) {
      expect(logs.filter(line => line.includes(secret))).toEqual([]);
      expect(seen.filter(text => text.includes(secret))).toEqual([]);
    }
  });

  test('the Sealer can seal but not open anything (a sanity check of the fixture)', async () => {
    const d = deployments[0];
    await expect(d.clientFor('Sealer').send(new GenerateDataKeyCommand({ KeyId: d.key('SealingKey').arn, KeySpec: 'AES_256' }))).resolves.toBeDefined();
  });
});
