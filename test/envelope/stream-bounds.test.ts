import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { FAKE_KEY_A, fakeKms } from './fake-kms';
import {
  createOpenStream, createSealStream, DataKeyCache, IntegrityError, MalformedEnvelopeError, MAX_PREAMBLE_BYTES, open, seal,
} from '../../src/envelope';
import { concat } from '../../src/envelope/bytes';
import * as format from '../../src/envelope/format';
import * as frames from '../../src/envelope/frames';

/** Feeds `source` in chunks of `chunk` bytes through `transform`; returns what came out and the error, if any. */
async function run(source: Uint8Array, transform: Transform, chunk: number): Promise<{ out: Uint8Array; error?: unknown }> {
  const parts: Uint8Array[] = [];
  const input = Readable.from((function* () {
    for (let i = 0; i < source.length; i += chunk) yield Buffer.from(source.subarray(i, i + chunk));
  })());
  try {
    await pipeline(input, transform, async function* (stream) {
      for await (const piece of stream) parts.push(piece as Uint8Array);
    });
    return { out: concat(parts) };
  } catch (error) {
    return { out: concat(parts), error };
  }
}

/** The envelope with extra wrapped keys after its own (junk that is never tried, since the first one opens). */
function withExtraWrappedKeys(envelope: Uint8Array, extra: format.WrappedKey[]): Uint8Array {
  const parsed = format.parseEnvelope(envelope);
  return concat([parsed.headerBytes, format.encodeWrappedKeys([...parsed.wrappedKeys, ...extra]), envelope.subarray(parsed.bodyOffset)]);
}

const junkKey = (i: number, idBytes: number, blobBytes: number): format.WrappedKey => ({
  keyId: `arn:aws:kms:eu-west-1:111122223333:key/${'x'.repeat(idBytes - 45)}${i}`.slice(0, idBytes),
  ciphertext: new Uint8Array(blobBytes).fill(i),
});

/** Bytes copied by Uint8Array.prototype.set while `work` runs (the way every buffer here is assembled). */
async function bytesCopied(work: () => Promise<unknown>): Promise<number> {
  let copied = 0;
  const original = Uint8Array.prototype.set;
  // A plain wrapper, not a jest spy: a spy would keep every call's arguments.
  Uint8Array.prototype.set = function (this: Uint8Array, array: ArrayLike<number>, offset?: number) {
    copied += array.length;
    return original.call(this, array, offset);
  };
  try {
    await work();
  } finally {
    Uint8Array.prototype.set = original;
  }
  return copied;
}

describe('streamed open: work linear in the input however it is chunked', () => {
  test('a 128 KiB preamble and a 256 KiB body fed in 64-byte chunks: each byte copied a bounded number of times, parsed once', async () => {
    const { kms } = fakeKms();
    const plaintext = new Uint8Array(256 * 1024).map((_, i) => i % 249);
    const sealed = await seal(plaintext, { keyIds: [FAKE_KEY_A], kms, frameSize: 32 * 1024 });
    const envelope = withExtraWrappedKeys(sealed, [1, 2].map(i => junkKey(i, 100, 0xffff)));
    expect(format.parseEnvelope(envelope).bodyOffset).toBeGreaterThan(128 * 1024);
    const parse = jest.spyOn(format, 'parseEnvelope');
    let result: { out: Uint8Array; error?: unknown } | undefined;
    const copied = await bytesCopied(async () => { result = await run(envelope, createOpenStream({ kms }), 64); });
    expect(result!.error).toBeUndefined();
    expect(Buffer.from(result!.out).equals(plaintext)).toBe(true);
    // Re-concatenating the buffered bytes on every chunk copies about n²/128 bytes per buffered run (about 200 MB here).
    expect(copied).toBeLessThan(4 * envelope.length);
    expect(parse).toHaveBeenCalledTimes(1);
    parse.mockRestore();
  });

  test('one byte at a time gives the same plaintext (the chunk queue across frame boundaries)', async () => {
    const { kms } = fakeKms();
    const plaintext = new Uint8Array(5000).map((_, i) => i % 251);
    const envelope = await seal(plaintext, { keyIds: [FAKE_KEY_A], kms, frameSize: 1024 });
    const result = await run(envelope, createOpenStream({ kms }), 1);
    expect(result.error).toBeUndefined();
    expect(result.out).toEqual(plaintext);
  });
});

describe('streamed open: preamble limit', () => {
  test('a legal preamble over the 1 MiB default fails naming the limit; a raised limit and the buffered open both open it', async () => {
    const { kms } = fakeKms();
    const sealed = await seal(new Uint8Array([1, 2, 3]), { keyIds: [FAKE_KEY_A], kms });
    // Nine wrapped keys with the longest key ids and blobs the format allows: about 1.18 MB of preamble.
    const envelope = withExtraWrappedKeys(sealed, [1, 2, 3, 4, 5, 6, 7, 8, 9].map(i => junkKey(i, 0xffff, 0xffff)));
    expect(format.parseEnvelope(envelope).bodyOffset).toBeGreaterThan(MAX_PREAMBLE_BYTES);
    const refused = await run(envelope, createOpenStream({ kms }), 64 * 1024);
    expect(refused.error).toBeInstanceOf(MalformedEnvelopeError);
    expect((refused.error as Error).message).toMatch(/over this reader's limit of 1048576 \(raise maxPreambleBytes to open it\)/);
    expect(refused.out).toHaveLength(0);
    const raised = await run(envelope, createOpenStream({ kms, maxPreambleBytes: 2 * MAX_PREAMBLE_BYTES }), 64 * 1024);
    expect(raised.error).toBeUndefined();
    expect(raised.out).toEqual(new Uint8Array([1, 2, 3]));
    expect((await open(envelope, { kms })).plaintext).toEqual(new Uint8Array([1, 2, 3]));
  });

  test('a preamble cut short says where it ended, not that the limit was hit', async () => {
    const { kms } = fakeKms();
    const envelope = await seal(new Uint8Array(10), { keyIds: [FAKE_KEY_A], kms });
    const result = await run(envelope.subarray(0, 100), createOpenStream({ kms }), 7);
    expect(result.error).toBeInstanceOf(MalformedEnvelopeError);
    expect((result.error as Error).message).toMatch(/truncated in the preamble \(100 bytes of at least \d+\)/);
  });

  test('too many wrapped keys are refused as soon as the count is read, before the keys arrive', async () => {
    const { kms, calls } = fakeKms();
    const sealed = await seal(new Uint8Array(10), { keyIds: [FAKE_KEY_A], kms });
    const envelope = withExtraWrappedKeys(sealed, [1, 2].map(i => junkKey(i, 100, 100)));
    const head = format.parseEnvelope(envelope).headerBytes.length + 2;
    const result = await run(envelope.subarray(0, head), createOpenStream({ kms, maxWrappedKeys: 2 }), 1000);
    expect((result.error as Error).constructor.name).toBe('TooManyWrappedKeysError');
    expect(calls.Decrypt).toBeUndefined();
  });
});

describe('streamed open: the message key is wiped on every way out', () => {
  /** Captures every per-message key derived while `work` runs. */
  async function derivedKeys(work: () => Promise<unknown>): Promise<Uint8Array[]> {
    const spy = jest.spyOn(frames, 'deriveMessageKeys');
    try {
      await work();
      return spy.mock.results.map(r => (r.value as frames.MessageKeys).encryptionKey);
    } finally {
      spy.mockRestore();
    }
  }

  let envelope: Uint8Array;
  const { kms } = fakeKms(7);
  beforeAll(async () => {
    envelope = await seal(new Uint8Array(10_000).fill(5), { keyIds: [FAKE_KEY_A], kms, frameSize: 1024 });
  });

  test('a frame that fails mid-stream', async () => {
    const tampered = envelope.slice();
    tampered[tampered.length - 3000] = (tampered[tampered.length - 3000] + 1) % 256;
    let result: { error?: unknown } = {};
    const keys = await derivedKeys(async () => { result = await run(tampered, createOpenStream({ kms }), 500); });
    expect(result.error).toBeInstanceOf(IntegrityError);
    expect(keys).toHaveLength(1);
    expect(keys[0].every(b => b === 0)).toBe(true);
  });

  test('a final-frame length over the frame size is the one IntegrityError, with the key wiped', async () => {
    const parsed = format.parseEnvelope(envelope);
    const tampered = envelope.slice();
    // The final frame is the last: its length word sits after its sequence word, 4 + 4 + length + 16 from the end.
    const finalLength = (10_000 % 1024);
    const at = tampered.length - (finalLength + 16) - 4;
    new DataView(tampered.buffer).setUint32(at, 1025);
    expect(at).toBeGreaterThan(parsed.bodyOffset);
    for (const opened of [
      () => run(tampered, createOpenStream({ kms }), 333).then(r => { if (r.error) throw r.error; }),
      () => open(tampered, { kms }),
    ]) {
      let error: unknown;
      const keys = await derivedKeys(() => opened().catch(e => { error = e; }));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toBe('envelope integrity check failed');
      expect(keys.every(k => k.every(b => b === 0))).toBe(true);
    }
  });

  test('a stream destroyed while KMS is still answering wipes the key that arrives afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>(resolve => { release = resolve; });
    const slow = { send: (async (command: never) => { await gate; return kms.send(command); }) as typeof kms.send };
    const keys = await derivedKeys(async () => {
      const stream = createOpenStream({ kms: slow });
      stream.on('error', () => {});
      stream.write(Buffer.from(envelope.subarray(0, 2000)));
      await new Promise(resolve => setImmediate(resolve));
      stream.destroy();
      release();
      await new Promise(resolve => setTimeout(resolve, 20));
    });
    expect(keys).toHaveLength(1);
    expect(keys[0].every(b => b === 0)).toBe(true);
  });
});

describe('streamed seal and the cache', () => {
  test('a declared plaintextLength is charged against maxBytes; an undeclared stream does not use the cache', async () => {
    const fake = fakeKms(9);
    const cache = new DataKeyCache({ maxBytes: 10_000 });
    const plaintext = new Uint8Array(4000).fill(3);
    const sealOne = async (declare: boolean) => {
      const result = await run(plaintext, createSealStream({
        keyIds: [FAKE_KEY_A], kms: fake.kms, cache, frameSize: 1024, plaintextLength: declare ? plaintext.length : undefined,
      }), 1500);
      expect(result.error).toBeUndefined();
      expect((await open(result.out, { kms: fake.kms })).plaintext).toEqual(plaintext);
    };
    await sealOne(true);
    await sealOne(true);
    expect(fake.calls.GenerateDataKey).toBe(1);
    await sealOne(true); // 12,000 bytes would exceed maxBytes: a new key
    expect(fake.calls.GenerateDataKey).toBe(2);
    expect(cache.stats).toEqual(expect.objectContaining({ sealHits: 1, sealMisses: 2 }));
    await sealOne(false);
    await sealOne(false);
    expect(fake.calls.GenerateDataKey).toBe(4);
    expect(cache.stats).toEqual(expect.objectContaining({ sealHits: 1, sealMisses: 2 }));
  });

  test('writing more than the declared length fails the stream and wipes the message key', async () => {
    const { kms } = fakeKms(10);
    const spy = jest.spyOn(frames, 'deriveMessageKeys');
    const result = await run(new Uint8Array(3000), createSealStream({ keyIds: [FAKE_KEY_A], kms, plaintextLength: 2999 }), 1000);
    expect(result.error).toBeInstanceOf(RangeError);
    expect((result.error as Error).message).toBe('plaintext: more than the declared plaintextLength of 2999 bytes');
    const keys = spy.mock.results.map(r => (r.value as frames.MessageKeys).encryptionKey);
    spy.mockRestore();
    expect(keys).toHaveLength(1);
    expect(keys[0].every(b => b === 0)).toBe(true);
  });
});

describe('frame sizes by default', () => {
  const sealedBy = async (transform: Transform, bytes: number) =>
    format.parseEnvelope((await run(new Uint8Array(bytes).fill(7), transform, 64 * 1024)).out);

  test('a stream seals 256 KiB frames, a buffered seal 64 KiB ones; a frameSize given is kept by both', async () => {
    const kms = fakeKms().kms;
    const streamed = await sealedBy(createSealStream({ keyIds: [FAKE_KEY_A], kms }), 600_000);
    expect(streamed.header.frameSize).toBe(format.DEFAULT_STREAM_FRAME_SIZE);
    expect(format.DEFAULT_STREAM_FRAME_SIZE).toBe(256 * 1024);
    const buffered = format.parseEnvelope(await seal(new Uint8Array(600_000), { keyIds: [FAKE_KEY_A], kms }));
    expect(buffered.header.frameSize).toBe(64 * 1024);
    expect((await sealedBy(createSealStream({ keyIds: [FAKE_KEY_A], kms, frameSize: 4096 }), 10_000)).header.frameSize).toBe(4096);
  });

  test('a 256 KiB-frame stream opens through the stream and the buffered open alike', async () => {
    const kms = fakeKms().kms;
    const plaintext = new Uint8Array(3 * format.DEFAULT_STREAM_FRAME_SIZE + 17).map((_, i) => i % 253);
    const sealed = (await run(plaintext, createSealStream({ keyIds: [FAKE_KEY_A], kms }), 100_000)).out;
    const streamedOpen = await run(sealed, createOpenStream({ kms }), 100_000);
    expect(streamedOpen.error).toBeUndefined();
    expect(Buffer.from(streamedOpen.out).equals(Buffer.from(plaintext))).toBe(true);
    expect(Buffer.from((await open(sealed, { kms })).plaintext).equals(Buffer.from(plaintext))).toBe(true);
  });
});
