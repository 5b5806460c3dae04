import { DecryptCommand } from '@aws-sdk/client-kms';
import { createOpenStream, generateDataKeyEnvelope, inspect, open, rewrap } from '../../src/envelope';
import { MalformedEnvelopeError } from '../../src/envelope/errors';
import { createKey } from '../custom-resource/support';
import { startTestEmulator, TestEmulator } from '../emulator/support';

describe('data-key envelopes (suite 0x02)', () => {
  let t: TestEmulator;
  let key: string;
  let other: string;
  beforeAll(async () => {
    t = await startTestEmulator();
    [key, other] = await Promise.all([createKey(t.kms), createKey(t.kms)]);
  });
  afterAll(() => t.emulator.stop());

  test('open returns the data key KMS generated, which the wrapped key decrypts to', async () => {
    const envelope = await generateDataKeyEnvelope(t.kms, key, { app: 'a' });
    const described = inspect(envelope);
    expect(described).toMatchObject({ suite: 'data key', bodyBytes: 0, encryptionContext: { app: 'a' } });
    const opened = await open(envelope, { kms: t.kms, expect: { keyIds: [key], encryptionContext: { app: 'a' } } });
    expect(opened.plaintext.length).toBe(32);
    const direct = await t.kms.send(new DecryptCommand({ CiphertextBlob: envelope.subarray(envelope.length - described.wrappedKeys[0].ciphertextBytes), EncryptionContext: { app: 'a' } }));
    expect(Buffer.from(direct.Plaintext!).equals(Buffer.from(opened.plaintext))).toBe(true);
  });

  test('rewrap moves it to another key and it opens to the same data key', async () => {
    const envelope = await generateDataKeyEnvelope(t.kms, key, { app: 'a' });
    const before = await open(envelope, { kms: t.kms });
    const moved = await rewrap(envelope, { toKeyId: other, kms: t.kms });
    const after = await open(moved, { kms: t.kms, expect: { keyIds: [other] } });
    expect(Buffer.from(after.plaintext).equals(Buffer.from(before.plaintext))).toBe(true);
  });

  test('a body or a non-zero commitment is refused as malformed', async () => {
    const envelope = await generateDataKeyEnvelope(t.kms, key);
    const withBody = new Uint8Array([...envelope, 1, 2, 3]);
    await expect(open(withBody, { kms: t.kms })).rejects.toThrow(MalformedEnvelopeError);
    const committed = new Uint8Array(envelope);
    committed[24 + 2] = committed[24 + 2] === 0 ? 1 : 0; // first commitment byte (empty context: 2 bytes)
    await expect(open(committed, { kms: t.kms })).rejects.toThrow('a data-key envelope must have an all-zero commitment');
  });

  test('the streamed open refuses it instead of reading a body that is not there', async () => {
    const envelope = await generateDataKeyEnvelope(t.kms, key);
    const stream = createOpenStream({ kms: t.kms });
    const done = new Promise((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.resume();
    });
    stream.end(Buffer.from(envelope));
    await expect(done).rejects.toThrow('a data-key envelope has no body to stream');
  });
});
