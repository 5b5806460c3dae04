import { DisableKeyCommand } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { createFaultyHandler, HandlerWorld, SecretLedger, startHandlerWorld } from './handler-support';
import { contextWithin, createKey, eventOf, ResponseServer } from './support';
import { CustomResourceResponse } from '../../src/custom-resource/handler';
import { MAX_PHYSICAL_ID_BYTES, MAX_RESPONSE_BYTES } from '../../src/custom-resource/handler/event';
import { open, seal } from '../../src/envelope';
import { TestEmulator } from '../emulator/support';

/**
 * The faults a demanding user would try beyond handler.test.ts: a response URL that hangs or refuses, a sealing key
 * (not the target) that is disabled, a value too big for a physical id, and any malformed properties at all.
 */
const CONTEXT = { app: 'billing' };
const SECRET = 'the quick brown fox sealed at commit time 42';
const OTHER_SECRET = 'sealed under a key that gets disabled 9c1e';
/** Every reason starts with one of these (src/custom-resource/handler/failure.ts); the rest is detail. */
const CAUSES = /^(KMS key is disabled|KMS key is pending deletion or otherwise unusable|access denied by KMS|KMS key not found|malformed envelope|encryption context mismatch|response over CloudFormation's limit|invalid resource properties|KMS kept throttling or failing until the deadline|no time left before the Lambda deadline|envelope integrity check failed|internal error): \S/;

let t: TestEmulator;
let responses: ResponseServer;
let sealingKey: string;
let targetKey: string;
let committed: string;
const ledger = new SecretLedger();

let world: HandlerWorld;

beforeAll(async () => {
  world = await startHandlerWorld({ secret: SECRET, context: CONTEXT, keyNames: ['sealing', 'target'], ledger });
  ({ t, responses, committed } = world);
  [sealingKey, targetKey] = world.keys;
});

afterAll(() => world.stop());

const handler = () => createFaultyHandler(t.kms, { ledger });
const sealed = (overrides: Record<string, unknown> = {}) => ({ Kind: 'SealedValue', Envelope: committed, TargetKeyArn: targetKey, EncryptionContext: CONTEXT, ...overrides });

describe('the response URL', () => {
  afterEach(() => {
    responses.failNext = 0;
    responses.failWith = 500;
  });

  test('one that hangs is abandoned and tried again while time remains, even with little time left', async () => {
    // GIVEN a response URL whose first PUT is never answered, and 4 s left in the Lambda
    responses.failNext = 1;
    responses.failWith = 'hang';
    const context = contextWithin(4_000);
    const before = responses.bodies.length;
    // WHEN
    const response = await handler().handler(ledger.event(eventOf('Create', responses.url(), sealed())), context);
    // THEN the second PUT delivered it, before the deadline
    expect(response.Status).toBe('SUCCESS');
    expect(responses.bodies.length - before).toBe(2);
    expect(responses.last().RequestId).toBe(response.RequestId);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  test('one that never answers still lets the handler end before the Lambda deadline, saying so', async () => {
    responses.failNext = 1_000;
    responses.failWith = 'hang';
    const logs: string[] = [];
    const { handler: h } = handler();
    const context = contextWithin(2_500);
    const response = await createWithLog(h, logs, context);
    expect(response.Status).toBe('SUCCESS');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(logs.join('\n')).toMatch(/response not delivered/);
  });

  test('a 403 (an expired URL never recovers) is not tried again', async () => {
    responses.failNext = 5;
    responses.failWith = 403;
    const before = responses.bodies.length;
    const logs: string[] = [];
    const response = await createWithLog(handler().handler, logs, contextWithin(10_000));
    expect(response.Status).toBe('SUCCESS');
    expect(responses.bodies.length - before).toBe(1);
    expect(logs.join('\n')).toMatch(/response refused: HTTP 403/);
  });

  /** A Create of the sealed value whose log lines (the handler's, through the ledger) are collected too. */
  async function createWithLog(h: ReturnType<typeof handler>['handler'], logs: string[], context: ReturnType<typeof contextWithin>) {
    const from = ledger.texts.length;
    const response = await h(ledger.event(eventOf('Create', responses.url(), sealed())), context);
    logs.push(...ledger.texts.slice(from));
    return response;
  }
});

describe('causes a user can act on', () => {
  test('a disabled sealing key (the source, not the target) is named in the reason', async () => {
    const otherSealing = await createKey(t.kms, 'sealing, to be disabled');
    ledger.addSecret(OTHER_SECRET);
    const envelope = Buffer.from(await seal(Buffer.from(OTHER_SECRET), { keyIds: [otherSealing], encryptionContext: CONTEXT, kms: t.kms })).toString('base64');
    await t.kms.send(new DisableKeyCommand({ KeyId: otherSealing }));
    const response = await handler().handler(ledger.event(eventOf('Create', responses.url(), sealed({ Envelope: envelope }))), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^KMS key is disabled: /);
    expect(response.Reason).toContain(otherSealing.split('/')[1]);
  });

  test('a generated value whose envelope would not fit a physical id fails naming the limit, before any response is too big', async () => {
    const longContext = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`context-key-${i}`, 'v'.repeat(40)]));
    const response = await handler().handler(ledger.event(eventOf('Create', responses.url(), {
      Kind: 'DataKey', TargetKeyArn: targetKey, EncryptionContext: longContext,
    })), contextWithin(30_000));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`CloudFormation allows ${MAX_PHYSICAL_ID_BYTES}`);
  });
});

describe('malformed properties, any of them', () => {
  const text = fc.string({ maxLength: 40 });
  const anything = fc.oneof(
    text, fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 }),
  );
  /** An envelope, or a damaged one: truncated, a byte changed, base64 of anything, or not base64. */
  const envelopes = () => fc.oneof(
    fc.constant(committed),
    fc.integer({ min: 0, max: 400 }).map(n => Buffer.from(committed, 'base64').subarray(0, n).toString('base64')),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, delta]) => {
      const bytes = Buffer.from(committed, 'base64');
      bytes[at % bytes.length] = (bytes[at % bytes.length] + delta) % 256;
      return bytes.toString('base64');
    }),
    fc.uint8Array({ maxLength: 300 }).map(b => Buffer.from(b).toString('base64')),
    anything,
  );
  /** Mostly well-formed, so that most runs get past the first check: each property is wrong one time in five. */
  const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: anything, weight: 1 });
  const properties = () => fc.record({
    Kind: mostly(fc.constantFrom('SealedValue', 'GeneratedSecret', 'DataKey')),
    TargetKeyArn: mostly(fc.constantFrom(targetKey, sealingKey, `${targetKey}0`)),
    EncryptionContext: mostly(fc.constantFrom(CONTEXT, { app: 'other' }, {})),
    Envelope: envelopes(),
    Generation: mostly(fc.constantFrom('1', '2')),
    Length: mostly(fc.integer({ min: 0, max: 5_000 }).map(String)),
    Alphabet: fc.oneof(fc.constant(undefined), text),
    RawBytes: mostly(fc.constantFrom('true', 'false')),
  }, { requiredKeys: ['Kind', 'TargetKeyArn', 'EncryptionContext'] });

  test('always get exactly one answer within the limits, with a reason naming a cause and echoing no envelope', async () => {
    await fc.assert(fc.asyncProperty(
      properties(), fc.constantFrom('Create', 'Update' as const), properties(),
      // CloudFormation sends an Update the physical id the resource has: never empty.
      fc.oneof(fc.constant(undefined), text.filter(s => s.length > 0), text.map(s => `gk1.${s}`)),
      async (props, requestType, old, physicalId) => {
        const before = responses.bodies.length;
        const event = eventOf(requestType, responses.url(), props, requestType === 'Update'
          ? { OldResourceProperties: old, PhysicalResourceId: physicalId ?? 'gk-old' } : {});
        const response = await handler().handler(ledger.event(event), contextWithin(10_000));
        const bodies = responses.bodies.slice(before);
        expect(bodies).toHaveLength(1);
        expect(Buffer.byteLength(bodies[0])).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        const sent = JSON.parse(bodies[0]) as CustomResourceResponse;
        expect(sent).toEqual(response);
        expect(['SUCCESS', 'FAILED']).toContain(response.Status);
        expect(response.PhysicalResourceId.length).toBeGreaterThan(0);
        if (response.Status === 'SUCCESS') await learnSecret(response, props);
        if (response.Status === 'FAILED') {
          expect(response.Reason).toMatch(CAUSES);
          expect(response.Reason).not.toMatch(/[\r\n]/);
          const envelope = props.Envelope;
          if (typeof envelope === 'string' && envelope.length >= 24) expect(response.Reason).not.toContain(envelope);
        }
      },
    ), { numRuns: 80 });
  }, 60_000);
});

test('an Update whose physical id claims a value it does not hold fails, naming the envelope, and returns no value', async () => {
  // Found by the property above: 'gk1.' with nothing after it was answered SUCCESS with an empty envelope.
  for (const physicalId of ['gk1.', 'gk1.AAEC', `gk1.${Buffer.from('not an envelope at all').toString('base64url')}`]) {
    const props = { Kind: 'DataKey', TargetKeyArn: targetKey, EncryptionContext: CONTEXT, Generation: '1' };
    const event = eventOf('Update', responses.url(), props, { OldResourceProperties: props, PhysicalResourceId: physicalId });
    const response = await handler().handler(ledger.event(event), contextWithin(10_000));
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
    expect(response.Reason).toMatch(/^malformed envelope: the physical id of this DataKey does not hold a readable envelope/);
    expect(response.Data).toBeUndefined();
  }
});

/** What a successful generated value holds (opened here, as the application would), added to the ledger. */
async function learnSecret(response: CustomResourceResponse, props: Record<string, unknown>): Promise<void> {
  if (props.Kind === 'SealedValue') return;
  const opened = await open(Buffer.from(response.Data!.Envelope, 'base64'), { kms: t.kms });
  const value = Buffer.from(opened.plaintext);
  if (props.Kind === 'GeneratedSecret' && props.RawBytes !== 'true') ledger.addSecret(value.toString('utf8'));
  else ledger.addSecret(value.toString('base64')), ledger.addSecret(value.toString('hex'));
}

// Last in the file, so it sees everything the suite did.
test('no secret of the suite appears in any log line, response body or event', () => {
  ledger.addSecret(SECRET.slice(0, 19)); // a part of it, too
  ledger.addBodies(responses.bodies);
  ledger.assertClean();
});
