import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { fakeKms } from './fake-kms';
import { kmsClientFor, PolicyDocumentJson, PrincipalConfig, RunningEmulator, startEmulator } from '../../src/emulator';
import { DataKeyCache, IntegrityError, open, seal } from '../../src/envelope';
import { KmsLike } from '../../src/envelope/kms';

/**
 * The data-key cache keeps its own copy of every key, whatever kind of Uint8Array KMS answered with. A client that
 * answers with Node Buffers (aws-sdk-client-mock resolves what the test wrote; wrappers of other SDKs) once made the
 * cache keep a view of the seal's own key, which the seal then wiped: every cached seal after the first was sealed
 * under an all-zero data key (anyone could open it, KMS could not) and every cached open failed its commitment.
 */
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Answers every Decrypt with an all-zero data key: what opens with it was sealed under no secret at all. */
const zeroKms: KmsLike = {
  send: (async (command: { input: { KeyId?: string } }) => ({ Plaintext: new Uint8Array(32), KeyId: command.input.KeyId ?? KEY })) as unknown as KmsLike['send'],
};

const kinds: Array<[string, (bytes: Uint8Array) => Uint8Array]> = [
  ['a plain Uint8Array', bytes => new Uint8Array(bytes)],
  ['a Buffer from the shared pool (Buffer.from)', bytes => Buffer.from(bytes)],
  ['a Buffer of its own memory', bytes => {
    const own = Buffer.allocUnsafeSlow(bytes.length);
    own.set(bytes);
    return own;
  }],
  ['a view into a larger Buffer', bytes => {
    const larger = Buffer.alloc(bytes.length + 64, 0xee);
    larger.set(bytes, 16);
    return larger.subarray(16, 16 + bytes.length);
  }],
];

describe.each(kinds)('KMS answering with %s', (_, plaintextAs) => {
  test('cached seals: one GenerateDataKey, every envelope opens without a cache, none under an all-zero key', async () => {
    const fake = fakeKms(3, { plaintextAs });
    const cache = new DataKeyCache({ maxMessages: 100 });
    const messages = Array.from({ length: 24 }, (__, i) => Buffer.from(`message ${i}`));
    // Half one after the other (the cache's first key, then hits), half overlapping.
    const sealed: Uint8Array[] = [];
    for (const m of messages.slice(0, 12)) sealed.push(await seal(m, { keyIds: [KEY], kms: fake.kms, cache, encryptionContext: { tenant: 'a' } }));
    sealed.push(...await Promise.all(messages.slice(12).map(m => seal(m, { keyIds: [KEY], kms: fake.kms, cache, encryptionContext: { tenant: 'a' } }))));
    expect(fake.calls.GenerateDataKey).toBe(1);
    for (let i = 0; i < sealed.length; i++) {
      expect(Buffer.from((await open(sealed[i], { kms: fake.kms })).plaintext).toString()).toBe(`message ${i}`);
      await expect(open(sealed[i], { kms: zeroKms })).rejects.toThrow(IntegrityError);
    }
    // The envelope wiped every key KMS handed it, whatever its kind.
    expect(fake.handedOut.every(key => key.every(b => b === 0))).toBe(true);
  });

  test('cached opens: one Decrypt, every open after the first a cache hit with the right plaintext', async () => {
    const fake = fakeKms(4, { plaintextAs });
    const sealCache = new DataKeyCache({ maxMessages: 100 });
    const sealed: Uint8Array[] = []; // one after the other, so that all eight share one data key and one wrapped key
    for (let i = 0; i < 8; i++) sealed.push(await seal(Buffer.from(`value ${i}`), { keyIds: [KEY], kms: fake.kms, cache: sealCache }));
    const openCache = new DataKeyCache();
    const decryptsBefore = fake.calls.Decrypt ?? 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < sealed.length; i++) {
        expect(Buffer.from((await open(sealed[i], { kms: fake.kms, cache: openCache })).plaintext).toString()).toBe(`value ${i}`);
      }
    }
    expect((fake.calls.Decrypt ?? 0) - decryptsBefore).toBe(1);
    expect(openCache.stats.openHits).toBe(3 * sealed.length - 1);
  });
});

/**
 * The same through the real SDK and the emulator, as application role sessions signing with SigV4 under a key policy:
 * the sealer's client carries a middleware that hands each Plaintext back as a Node Buffer, as a user's wrapper of
 * the client (or a client of another SDK) does.
 */
describe('cached seals through the real SDK, as role sessions, with a client that answers with Buffers', () => {
  const ACCOUNT = '111122223333';
  let emulator: RunningEmulator;
  const clients: KMSClient[] = [];
  const as = (name: string, identityPolicies: PolicyDocumentJson[] = []): KMSClient => {
    const accessKeyId = `AKIABUF${name.toUpperCase().padEnd(9, 'X').slice(0, 9)}`;
    const principal: PrincipalConfig = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/app`, accessKeyId, secretAccessKey: `secret-${name}`, identityPolicies };
    emulator.addPrincipal(principal);
    const client = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId, secretAccessKey: principal.secretAccessKey });
    clients.push(client);
    return client;
  };
  beforeAll(async () => { emulator = await startEmulator(); });
  afterAll(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await emulator.stop();
  });

  test('24 cached seals, overlapping, each opens by the opener role and none under an all-zero key', async () => {
    const admin = as('Admin', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] }]);
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: role('Admin') }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Seal', Effect: 'Allow', Principal: { AWS: role('Sealer') }, Action: 'kms:GenerateDataKey', Resource: '*' },
        { Sid: 'Open', Effect: 'Allow', Principal: { AWS: role('Opener') }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    };
    const keyArn = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
    const sealer = as('Sealer');
    sealer.middlewareStack.add(next => async args => {
      const result = await next(args);
      const output = result.output as { Plaintext?: Uint8Array };
      if (output.Plaintext) output.Plaintext = Buffer.from(output.Plaintext);
      return result;
    }, { step: 'initialize', name: 'plaintextAsBuffer' });
    const opener = as('Opener');

    const cache = new DataKeyCache({ maxMessages: 100 });
    const first = await seal(Buffer.from('value 0'), { keyIds: [keyArn], kms: sealer, cache, encryptionContext: { app: 'billing' } });
    const rest = await Promise.all(Array.from({ length: 23 }, (__, i) =>
      seal(Buffer.from(`value ${i + 1}`), { keyIds: [keyArn], kms: sealer, cache, encryptionContext: { app: 'billing' } })));
    expect(cache.stats.sealHits).toBeGreaterThan(0);
    const sealed = [first, ...rest];
    for (let i = 0; i < sealed.length; i++) {
      expect(Buffer.from((await open(sealed[i], { kms: opener })).plaintext).toString()).toBe(`value ${i}`);
      await expect(open(sealed[i], { kms: zeroKms })).rejects.toThrow(IntegrityError);
    }
  });
});
