import { DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { createFaultyHandler, HandlerWorld, SecretLedger, startHandlerWorld } from './handler-support';
import { contextWithin, createKey, eventOf, ResponseServer } from './support';
import { CustomResourceHandler } from '../../src/custom-resource/handler';
import { kmsClientFor } from '../../src/emulator';
import { inspect, open, seal } from '../../src/envelope';
import { TestEmulator } from '../emulator/support';

const CONTEXT = { app: 'billing', purpose: 'db-password' };
const SECRET = 'correct horse battery staple 7f3a9c';

let t: TestEmulator;
let responses: ResponseServer;
let sealingKey: string;
let targetKey: string;
let otherKey: string;
let committed: string;
const ledger = new SecretLedger();

let world: HandlerWorld;

beforeAll(async () => {
  world = await startHandlerWorld({ secret: SECRET, context: CONTEXT, keyNames: ['sealing', 'target', 'other'], ledger });
  ({ t, responses, committed } = world);
  [sealingKey, targetKey, otherKey] = world.keys;
});

afterAll(() => world.stop());

function handlerWith(): { handler: CustomResourceHandler; kms: ReturnType<typeof createFaultyHandler>['kms'] } {
  return createFaultyHandler(t.kms, { ledger });
}

const sealedProps = (envelope = committed, key = targetKey, context: Record<string, string> = CONTEXT) => ({
  Kind: 'SealedValue', Envelope: envelope, TargetKeyArn: key, EncryptionContext: context,
});

async function openValue(envelope: string, key: string): Promise<string> {
  const opened = await open(Buffer.from(envelope, 'base64'), { kms: t.kms, expect: { keyIds: [key], encryptionContext: CONTEXT } });
  const text = Buffer.from(opened.plaintext).toString('utf8');
  ledger.addSecret(text);
  return text;
}

describe('SealedValue', () => {
  test('Create rewraps the committed envelope to the target key with one ReEncrypt', async () => {
    // GIVEN
    const { handler, kms } = handlerWith();
    const event = ledger.event(eventOf('Create', responses.url(), sealedProps()));
    // WHEN
    const response = await handler(event, contextWithin(30_000));
    // THEN
    expect(response.Status).toBe('SUCCESS');
    expect(responses.last()).toEqual(response);
    expect(kms.calls).toEqual(['ReEncrypt']);
    const envelope = response.Data!.Envelope;
    expect(inspect(Buffer.from(envelope, 'base64')).wrappedKeys.map(w => w.keyId)).toEqual([targetKey]);
    expect(await openValue(envelope, targetKey)).toBe(SECRET);
  });

  test('the physical id is stable: the same on every Create of the resource and kept by Update', async () => {
    const { handler } = handlerWith();
    const a = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), contextWithin(30_000));
    const b = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), contextWithin(30_000));
    const c = await handler(ledger.event(eventOf('Update', responses.url(), sealedProps(committed, otherKey), {
      PhysicalResourceId: a.PhysicalResourceId, OldResourceProperties: sealedProps(),
    })), contextWithin(30_000));
    expect(b.PhysicalResourceId).toBe(a.PhysicalResourceId);
    expect(c.PhysicalResourceId).toBe(a.PhysicalResourceId);
    expect(await openValue(c.Data!.Envelope, otherKey)).toBe(SECRET);
  });

  test('a declared context other than the envelope\'s fails, naming the mismatch, before any KMS call', async () => {
    const { handler, kms } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps(committed, targetKey, { app: 'billing', purpose: 'other' }))),
      contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^encryption context mismatch: /);
    expect(kms.calls).toEqual([]);
  });

  test.each([
    ['not base64', '!!!'],
    ['truncated', 'truncated'],
    ['not an envelope', Buffer.from('hello, world, this is not an envelope at all').toString('base64')],
  ])('a malformed envelope (%s) fails as malformed', async (_, given) => {
    const envelope = given === 'truncated' ? committed.slice(0, 40) : given;
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps(envelope))), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^malformed envelope: /);
  });

  test('an envelope over the 4 KB response limit fails naming the limit', async () => {
    const big = Buffer.from(await seal(new Uint8Array(3500).fill(7), { keyIds: [sealingKey], encryptionContext: CONTEXT, kms: t.kms })).toString('base64');
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps(big))), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^response over CloudFormation's limit: the response would be \d+ bytes; CloudFormation accepts 4096/);
    expect(Buffer.byteLength(responses.bodies[responses.bodies.length - 1])).toBeLessThanOrEqual(4096);
  });
});

describe('KMS refusals name their cause', () => {
  test('a disabled target key', async () => {
    const key = await createKey(t.kms, 'disabled');
    await t.kms.send(new DisableKeyCommand({ KeyId: key }));
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps(committed, key))), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^KMS key is disabled: /);
  });

  test('a target key pending deletion', async () => {
    const key = await createKey(t.kms, 'pending');
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps(committed, key))), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^KMS key is pending deletion or otherwise unusable: /);
  });

  test('a caller the key does not allow', async () => {
    // Registering a principal ends "any credentials act as the root": the suite's root client is registered first.
    t.emulator.addPrincipal({ arn: 'arn:aws:iam::000000000000:root', accessKeyId: 'AKIAEMULATORDEFAULT', secretAccessKey: 'emulator-secret' });
    t.emulator.addPrincipal({ arn: 'arn:aws:iam::000000000000:role/NoAccess', accessKeyId: 'AKIANOACCESS', secretAccessKey: 'no-access-secret' });

    const outsider = kmsClientFor(t.emulator, { region: 'eu-west-1', accessKeyId: 'AKIANOACCESS', secretAccessKey: 'no-access-secret' });
    try {
      const { handler } = createFaultyHandler(outsider, { ledger });
      const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), contextWithin(30_000));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/^access denied by KMS: /);
    } finally {
      outsider.destroy();
    }
  });
});

describe('retries within the deadline', () => {
  test('throttling and 5xx are retried until KMS answers', async () => {
    const { handler, kms } = handlerWith();
    kms.faults.push({ command: 'ReEncrypt', times: 2, error: 'ThrottlingException' }, { command: 'ReEncrypt', times: 1, error: 'KMSInternalException', status: 500 });
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), contextWithin(30_000));
    expect(response.Reason).toBeUndefined();
    expect(response.Status).toBe('SUCCESS');
    expect(kms.calls).toEqual(['ReEncrypt', 'ReEncrypt', 'ReEncrypt', 'ReEncrypt']);
  });

  test('endless throttling ends in FAILED, answered before the deadline', async () => {
    const { handler, kms } = handlerWith();
    kms.faults.push({ command: '*', times: 1_000, error: 'ThrottlingException' });
    const context = contextWithin(3_000);
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), context);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^KMS kept throttling or failing until the deadline: ThrottlingException/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(responses.last().RequestId).toBe(response.RequestId);
  });

  test('a KMS call that never answers is abandoned in time and reported', async () => {
    const { handler, kms } = handlerWith();
    kms.faults.push({ command: '*', times: 1_000, error: 'hang' });
    const context = contextWithin(2_000);
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), context);
    expect(response.Status).toBe('FAILED');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(responses.last().RequestId).toBe(response.RequestId);
  });

  test.each([[500], [503], ['drop' as const]])('a response URL that fails twice (%s) is tried again', async failure => {
    const { handler } = handlerWith();
    responses.failNext = 2;
    responses.failWith = failure;
    const before = responses.bodies.length;
    const response = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps())), contextWithin(30_000));
    expect(response.Status).toBe('SUCCESS');
    expect(responses.bodies.length - before).toBe(3);
    expect(responses.last().RequestId).toBe(response.RequestId);
  });

  test('the response is PUT without a content type (the URL is signed without one)', () => {
    expect(responses.contentTypes.every(c => c === undefined || c === '')).toBe(true);
  });
});

describe('Delete', () => {
  test('after a failed Create it succeeds with the physical id the failure named', async () => {
    const { handler, kms } = handlerWith();
    const failed = await handler(ledger.event(eventOf('Create', responses.url(), sealedProps('!!!'))), contextWithin(30_000));
    expect(failed.Status).toBe('FAILED');
    const deleted = await handler(ledger.event(eventOf('Delete', responses.url(), sealedProps('!!!'), { PhysicalResourceId: failed.PhysicalResourceId })),
      contextWithin(30_000));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: failed.PhysicalResourceId });
    expect(kms.calls).toEqual([]);
  });

  test('with malformed properties it still succeeds (nothing lives outside the stack)', async () => {
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Delete', responses.url(), { Kind: 'Nonsense' }, { PhysicalResourceId: 'gk-anything' })),
      contextWithin(30_000));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'gk-anything' });
  });
});

describe('GeneratedSecret', () => {
  const props = (key: string, generation = '1', extra: Record<string, unknown> = {}) => ({
    Kind: 'GeneratedSecret', TargetKeyArn: key, EncryptionContext: CONTEXT, Generation: generation, Length: '40', ...extra,
  });

  test('Create seals a random secret of the given length and alphabet; only its envelope leaves the handler', async () => {
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey, '1', { Alphabet: 'abc' }))), contextWithin(30_000));
    expect(response.Status).toBe('SUCCESS');
    const secret = await openValue(response.Data!.Envelope, targetKey);
    expect(secret).toMatch(/^[abc]{40}$/);
  });

  test('raw bytes', async () => {
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey, '1', { RawBytes: 'true', Length: '32' }))),
      contextWithin(30_000));
    const opened = await open(Buffer.from(response.Data!.Envelope, 'base64'), { kms: t.kms });
    ledger.addSecret(Buffer.from(opened.plaintext).toString('hex'));
    ledger.addSecret(Buffer.from(opened.plaintext).toString('base64'));
    expect(opened.plaintext.length).toBe(32);
  });

  test('a new target key rewraps the same secret; an unchanged generation never regenerates; a new one does', async () => {
    // GIVEN a secret under the target key
    const { handler, kms } = handlerWith();
    const created = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey))), contextWithin(30_000));
    const secret = await openValue(created.Data!.Envelope, targetKey);
    // WHEN nothing it depends on changes
    const same = await handler(ledger.event(eventOf('Update', responses.url(), props(targetKey), {
      PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props(targetKey),
    })), contextWithin(30_000));
    // THEN the value and the physical id stay, without any KMS call
    expect(same.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(same.Data!.Envelope).toBe(created.Data!.Envelope);
    // WHEN the target key changes
    kms.calls.length = 0;
    const moved = await handler(ledger.event(eventOf('Update', responses.url(), props(otherKey), {
      PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props(targetKey),
    })), contextWithin(30_000));
    // THEN the same secret is under the new key, by one ReEncrypt
    expect(kms.calls).toEqual(['ReEncrypt']);
    expect(await openValue(moved.Data!.Envelope, otherKey)).toBe(secret);
    // WHEN the generation changes
    const renewed = await handler(ledger.event(eventOf('Update', responses.url(), props(otherKey, '2'), {
      PhysicalResourceId: moved.PhysicalResourceId, OldResourceProperties: props(otherKey),
    })), contextWithin(30_000));
    expect(await openValue(renewed.Data!.Envelope, otherKey)).not.toBe(secret);
  });

  test('a changed context without a new generation fails instead of losing the value', async () => {
    const { handler } = handlerWith();
    const created = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey))), contextWithin(30_000));
    await openValue(created.Data!.Envelope, targetKey);
    const response = await handler(ledger.event(eventOf('Update', responses.url(), { ...props(targetKey), EncryptionContext: { app: 'other' } }, {
      PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props(targetKey),
    })), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^encryption context mismatch: /);
  });

  test.each([['7'], ['4097'], ['ten']])('a length of %s is refused naming the bounds', async length => {
    const { handler } = handlerWith();
    const response = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey, '1', { Length: length }))), contextWithin(30_000));
    expect(response.Reason).toBe('invalid resource properties: Length must be an integer from 8 to 4096');
  });
});

describe('DataKey', () => {
  const props = (key: string, generation = '1') => ({ Kind: 'DataKey', TargetKeyArn: key, EncryptionContext: CONTEXT, Generation: generation });

  test('Create makes a data-key envelope with GenerateDataKeyWithoutPlaintext that open reads; migration keeps the key', async () => {
    const { handler, kms } = handlerWith();
    const created = await handler(ledger.event(eventOf('Create', responses.url(), props(targetKey))), contextWithin(30_000));
    expect(created.Status).toBe('SUCCESS');
    expect(kms.calls).toEqual(['GenerateDataKeyWithoutPlaintext']);
    const first = await open(Buffer.from(created.Data!.Envelope, 'base64'), { kms: t.kms, expect: { keyIds: [targetKey], encryptionContext: CONTEXT } });
    expect(first.plaintext.length).toBe(32);
    ledger.addSecret(Buffer.from(first.plaintext).toString('base64'));
    ledger.addSecret(Buffer.from(first.plaintext).toString('hex'));
    const moved = await handler(ledger.event(eventOf('Update', responses.url(), props(otherKey), {
      PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props(targetKey),
    })), contextWithin(30_000));
    const second = await open(Buffer.from(moved.Data!.Envelope, 'base64'), { kms: t.kms, expect: { keyIds: [otherKey] } });
    expect(Buffer.from(second.plaintext).equals(Buffer.from(first.plaintext))).toBe(true);
  });
});

// Last in the file, so it sees everything the suite did.
test('no secret of the suite appears in any log line, response body or event', () => {
  ledger.addBodies(responses.bodies);
  ledger.assertClean();
});
