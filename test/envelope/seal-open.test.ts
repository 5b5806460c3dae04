import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { envelopeFixture, EnvelopeFixture, text } from './support';
import {
  DEFAULT_FRAME_SIZE, ExpectationError, inspect, KmsAccessError, KeyNotFoundError, MIN_FRAME_SIZE, open, seal, TooManyWrappedKeysError,
} from '../../src/envelope';

describe('seal and open through the real SDK and the emulator', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());

  test('round trip returns the plaintext, the context and the key that opened it', async () => {
    const envelope = await seal(text('hello'), { keyIds: [f.keyA], encryptionContext: { tenant: 'acme' }, kms: f.kms });
    const opened = await open(envelope, { kms: f.kms });
    expect(new TextDecoder().decode(opened.plaintext)).toBe('hello');
    expect(opened.encryptionContext).toEqual({ tenant: 'acme' });
    expect(opened.keyId).toBe(f.keyA);
  });

  test.each([
    ['empty', 0],
    ['one byte', 1],
    ['exactly one frame', MIN_FRAME_SIZE],
    ['one byte over a frame', MIN_FRAME_SIZE + 1],
    ['three frames and a bit', 3 * MIN_FRAME_SIZE + 17],
  ])('frame boundaries: %s (%d bytes)', async (_, size) => {
    const plaintext = new Uint8Array(size).map((_b, i) => i % 251);
    const envelope = await seal(plaintext, { keyIds: [f.keyA], kms: f.kms, frameSize: MIN_FRAME_SIZE });
    expect((await open(envelope, { kms: f.kms })).plaintext).toEqual(plaintext);
  });

  test('the default frame size is 64 KiB and inspect reads the header without KMS', async () => {
    const envelope = await seal(text('x'), { keyIds: [f.keyA, f.keyB], encryptionContext: { a: '1' }, kms: f.kms });
    const description = inspect(envelope);
    expect(description).toEqual(expect.objectContaining({
      version: 1,
      frameSize: DEFAULT_FRAME_SIZE,
      encryptionContext: { a: '1' },
      wrappedKeys: [expect.objectContaining({ keyId: f.keyA }), expect.objectContaining({ keyId: f.keyB })],
    }));
    expect(description.messageId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('several wrapping keys: the envelope opens when only the second is usable', async () => {
    const envelope = await seal(text('shared'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyA }));
    try {
      const opened = await open(envelope, { kms: f.kms });
      expect(opened.keyId).toBe(f.keyB);
    } finally {
      await f.kms.send(new EnableKeyCommand({ KeyId: f.keyA }));
    }
  });

  test('expectations are checked before any Decrypt (a bare key id is resolved with DescribeKey)', async () => {
    const envelope = await seal(text('x'), { keyIds: [f.keyA], encryptionContext: { tenant: 'acme' }, kms: f.kms });
    await expect(open(envelope, { kms: f.kms, expect: { keyIds: [f.keyB] } })).rejects.toBeInstanceOf(ExpectationError);
    await expect(open(envelope, { kms: f.kms, expect: { encryptionContext: { tenant: 'other' } } })).rejects.toThrow('encryption context tenant is not the expected value');
    expect((await open(envelope, { kms: f.kms, expect: { keyIds: [f.keyA.split('/')[1]], encryptionContext: { tenant: 'acme' } } })).plaintext).toEqual(text('x'));
  });

  test('KMS refusals become typed errors', async () => {
    await expect(seal(text('x'), { keyIds: ['alias/missing'], kms: f.kms })).rejects.toBeInstanceOf(KeyNotFoundError);
    const envelope = await seal(text('x'), { keyIds: [f.keyB], kms: f.kms });
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyB }));
    try {
      await expect(open(envelope, { kms: f.kms })).rejects.toBeInstanceOf(KmsAccessError);
    } finally {
      await f.kms.send(new EnableKeyCommand({ KeyId: f.keyB }));
    }
  });

  test('more wrapped keys than allowed are refused before any KMS call', async () => {
    const envelope = await seal(text('x'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    await expect(open(envelope, { kms: f.kms, maxWrappedKeys: 1 })).rejects.toBeInstanceOf(TooManyWrappedKeysError);
  });

  test.each([
    [{ keyIds: [] }, TypeError, 'keyIds: expected a non-empty list'],
    [{ frameSize: 10 }, RangeError, 'frameSize: expected 1024 to 16777216, got 10'],
    [{ encryptionContext: { 'guarded-keys:x': 'y' } }, RangeError, "keys starting with 'guarded-keys:' are reserved"],
    [{ encryptionContext: { a: 5 } }, TypeError, 'encryptionContext.a: expected a string, got number'],
  ])('bad seal options %p are %p', async (options, type, message) => {
    const promise = seal(text('x'), { keyIds: [f.keyA], kms: f.kms, ...(options as object) });
    await expect(promise).rejects.toBeInstanceOf(type);
    await expect(promise).rejects.toThrow(message);
  });

  test('a plaintext that is not bytes is a TypeError naming it', async () => {
    await expect(seal('text' as never, { keyIds: [f.keyA], kms: f.kms })).rejects.toThrow('plaintext: expected Uint8Array, got string');
  });
});
