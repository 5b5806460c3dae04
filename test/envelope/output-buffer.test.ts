import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { fakeKms } from './fake-kms';
import { envelopeFixture, EnvelopeFixture } from './support';
import {
  CipherBackend, createOpenStream, createSealStream, DataKeyCache, dataKeyEnvelope, EnvelopeError, IntegrityError, KeyNotFoundError, KmsAccessError,
  MIN_FRAME_SIZE, nobleBackend, nodeBackend, open, OpenOptions, seal, SealOptions,
} from '../../src/envelope';
import { KmsLike } from '../../src/envelope/kms';

const KiB = 1024;
const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000001';

/**
 * A KMS stand-in that always hands out the same data key under the same wrapped blob, and a backend whose message
 * ids are fixed: with both, two seals of one plaintext are the same bytes, so a seal into a buffer can be compared
 * byte for byte with the normal path.
 */
function deterministicKms(): { kms: KmsLike; calls: string[] } {
  const dataKey = new Uint8Array(32).map((_, i) => i + 1);
  const blob = new Uint8Array(40).map((_, i) => 200 - i);
  const calls: string[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, any> }) => {
    calls.push(command.constructor.name);
    if (command.constructor.name === 'GenerateDataKeyCommand') return { Plaintext: dataKey.slice(), CiphertextBlob: blob.slice(), KeyId: ARN };
    if (Buffer.compare(Buffer.from(command.input.CiphertextBlob), Buffer.from(blob)) !== 0) throw Object.assign(new Error('bad'), { name: 'InvalidCiphertextException' });
    return { Plaintext: dataKey.slice(), KeyId: ARN };
  };
  return { kms: { send: send as unknown as KmsLike['send'] }, calls };
}

const fixedIds = (backend: CipherBackend): CipherBackend => ({ ...backend, random: n => new Uint8Array(n).fill(7) });

/** A reused buffer, refilled with a non-zero pattern before each use, so "zeroed" and "untouched" are both visible. */
function reusable(bytes: number): { buffer: Uint8Array; calls: number[]; output: (n: number) => Uint8Array; refill(): void } {
  const buffer = new Uint8Array(bytes);
  const calls: number[] = [];
  return {
    buffer,
    calls,
    output: n => {
      calls.push(n);
      return buffer.subarray(0, n);
    },
    refill() {
      buffer.fill(0xa5);
      calls.length = 0;
    },
  };
}

const allZero = (b: Uint8Array) => b.every(x => x === 0);

describe('seal and open into a reused buffer', () => {
  const sealBuffer = reusable(320 * KiB);
  const openBuffer = reusable(320 * KiB);

  test('many messages: the envelope is byte for byte the normal one, and opening into a buffer gives the same plaintext', async () => {
    const { kms } = deterministicKms();
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 300 * KiB }),
      fc.oneof(fc.constantFrom(MIN_FRAME_SIZE, 4 * KiB, 64 * KiB), fc.integer({ min: MIN_FRAME_SIZE, max: 80 * KiB })),
      fc.boolean(),
      fc.integer({ min: 0, max: 255 }),
      async (size, frameSize, noble, fill) => {
        // noble only on small messages: it has no sealInto/openInto, so this covers the copying path too, but is slow.
        const backend = fixedIds(noble && size < 20 * KiB ? nobleBackend : nodeBackend);
        const plaintext = new Uint8Array(size).map((_, i) => (i * 31 + fill) % 256);
        const options: SealOptions = { keyIds: [ARN], kms, frameSize, backend, encryptionContext: { purpose: 'test' } };
        const normal = await seal(plaintext, options);
        sealBuffer.refill();
        const into = await seal(plaintext, { ...options, output: sealBuffer.output });
        expect(sealBuffer.calls).toEqual([normal.length]);
        expect(into.buffer).toBe(sealBuffer.buffer.buffer);
        expect(into.byteOffset).toBe(0);
        expect(Buffer.from(into).equals(Buffer.from(normal))).toBe(true);
        // Past the envelope the buffer is untouched.
        expect(sealBuffer.buffer.subarray(normal.length).every(x => x === 0xa5)).toBe(true);

        openBuffer.refill();
        const opened = await open(into, { kms, backend, output: openBuffer.output });
        expect(openBuffer.calls).toEqual([size]);
        expect(opened.plaintext.buffer).toBe(openBuffer.buffer.buffer);
        expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
        expect(Buffer.from((await open(normal, { kms, backend })).plaintext).equals(Buffer.from(opened.plaintext))).toBe(true);
        expect(opened.encryptionContext).toEqual({ purpose: 'test' });
      },
    ), { numRuns: 40, seed: 170517 });
  });

  test('no message-sized buffer is allocated when writing into the caller\'s (counted), one without output', async () => {
    const { kms } = deterministicKms();
    const plaintext = new Uint8Array(300 * KiB).fill(9);
    const big = () => spy.mock.calls.filter(([n]) => n >= plaintext.length).length;
    const spy = jest.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      const envelope = await seal(plaintext, { keyIds: [ARN], kms });
      expect(big()).toBe(1);
      await open(envelope, { kms });
      expect(big()).toBe(2);
      spy.mockClear();
      const sealInto = reusable(310 * KiB);
      const openInto = reusable(300 * KiB);
      for (let i = 0; i < 3; i++) {
        await open(await seal(plaintext, { keyIds: [ARN], kms, output: sealInto.output }), { kms, output: openInto.output });
      }
      expect(big()).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test('a buffer view at an offset (not at the start of its ArrayBuffer) works the same', async () => {
    const { kms } = deterministicKms();
    const backend = fixedIds(nodeBackend);
    const plaintext = new Uint8Array(5000).map((_, i) => i);
    const normal = await seal(plaintext, { keyIds: [ARN], kms, backend, frameSize: MIN_FRAME_SIZE });
    const big = new Uint8Array(normal.length + 100);
    const into = await seal(plaintext, { keyIds: [ARN], kms, backend, frameSize: MIN_FRAME_SIZE, output: n => big.subarray(37, 37 + n) });
    expect(into.byteOffset).toBe(37);
    expect(Buffer.from(into).equals(Buffer.from(normal))).toBe(true);
    const back = new Uint8Array(plaintext.length + 50);
    const opened = await open(into, { kms, output: n => back.subarray(13, 13 + n) });
    expect(opened.plaintext.byteOffset).toBe(13);
    expect(opened.plaintext).toEqual(plaintext);
  });

  test('cached seals and opens write into the buffer too', async () => {
    const { kms, calls } = fakeKms(7);
    const cache = new DataKeyCache();
    const out = reusable(64 * KiB);
    for (let i = 0; i < 5; i++) {
      const plaintext = new Uint8Array(3000 + i).fill(i + 1);
      out.refill();
      const envelope = await seal(plaintext, { keyIds: [ARN], kms, cache, output: out.output });
      expect(envelope.buffer).toBe(out.buffer.buffer);
      const copy = envelope.slice(); // the buffer is reused by the next seal
      const back = reusable(4 * KiB);
      back.refill();
      const opened = await open(copy, { kms, cache, output: back.output });
      expect(opened.plaintext).toEqual(plaintext);
    }
    expect(calls.GenerateDataKey).toBe(1);
    expect(calls.Decrypt).toBe(1);
    expect(cache.stats).toEqual(expect.objectContaining({ sealHits: 4, openHits: 4 }));
  });

  test('a data-key envelope opens into the buffer (its 32-byte key), and KMS\'s copy is wiped', async () => {
    const { kms, handedOut } = fakeKms(3);
    const key = new Uint8Array(32).fill(9);
    const wrapped = await kms.send({ constructor: { name: 'EncryptCommand' }, input: { KeyId: ARN, Plaintext: key, EncryptionContext: { a: 'b' } } } as never) as any;
    const envelope = dataKeyEnvelope({ keyId: ARN, ciphertext: wrapped.CiphertextBlob }, { a: 'b' });
    const out = reusable(64);
    out.refill();
    const opened = await open(envelope, { kms, output: out.output });
    expect(out.calls).toEqual([32]);
    expect(opened.plaintext.buffer).toBe(out.buffer.buffer);
    expect(opened.plaintext).toEqual(key);
    expect(handedOut.every(allZero)).toBe(true);
  });
});

describe('a failure after the buffer was asked for leaves it zeroed', () => {
  test('tampering any byte of the body: IntegrityError, the whole output region zeroed (property)', async () => {
    const { kms } = deterministicKms();
    const plaintext = new Uint8Array(9 * KiB + 123).map((_, i) => (i % 250) + 1);
    const envelope = await seal(plaintext, { keyIds: [ARN], kms, frameSize: MIN_FRAME_SIZE });
    const bodyStart = envelope.length - (9 * (MIN_FRAME_SIZE + 4 + 16) + 4 + 4 + 123 + 16);
    const out = reusable(16 * KiB);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: bodyStart, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const tampered = envelope.slice();
        tampered[at] = (tampered[at] + xor) % 256; // never the same byte: xor is 1 to 255
        out.refill();
        await expect(open(tampered, { kms, output: out.output })).rejects.toBeInstanceOf(IntegrityError);
        expect(out.calls).toEqual([plaintext.length]);
        expect(allZero(out.buffer.subarray(0, plaintext.length))).toBe(true);
        expect(out.buffer.subarray(plaintext.length).every(x => x === 0xa5)).toBe(true);
      },
    ), { numRuns: 150, seed: 17 });
  });

  test('tampering any byte anywhere: refused, and the output region is zeroed whenever it was asked for (property)', async () => {
    const { kms } = deterministicKms();
    const plaintext = new Uint8Array(3 * KiB).fill(0x42);
    const envelope = await seal(plaintext, { keyIds: [ARN], kms, frameSize: MIN_FRAME_SIZE, encryptionContext: { k: 'v' } });
    const out = reusable(8 * KiB);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
      const tampered = envelope.slice();
      tampered[at] = (tampered[at] + xor) % 256; // never the same byte: xor is 1 to 255
      out.refill();
      await expect(open(tampered, { kms, output: out.output })).rejects.toBeInstanceOf(EnvelopeError);
      const asked = out.calls.length === 1 ? out.calls[0] : 0;
      expect(allZero(out.buffer.subarray(0, asked))).toBe(true);
      expect(out.buffer.subarray(asked).every(x => x === 0xa5)).toBe(true);
    }), { numRuns: 150, seed: 29 });
  });

  test('a seal that fails half-way (the cipher throws on the third frame) zeroes what it wrote, and the keys', async () => {
    const { kms, handedOut } = fakeKms(5);
    let frames = 0;
    const failing: CipherBackend = {
      ...nodeBackend,
      sealInto(...args) {
        if (++frames === 3) throw new Error('cipher failed');
        return nodeBackend.sealInto!(...args);
      },
    };
    const out = reusable(16 * KiB);
    out.refill();
    await expect(seal(new Uint8Array(5 * KiB).fill(1), { keyIds: [ARN], kms, frameSize: MIN_FRAME_SIZE, backend: failing, output: out.output }))
      .rejects.toThrow('cipher failed');
    expect(out.calls).toHaveLength(1);
    expect(allZero(out.buffer.subarray(0, out.calls[0]))).toBe(true);
    expect(out.buffer.subarray(out.calls[0]).every(x => x === 0xa5)).toBe(true);
    expect(handedOut.length).toBe(1);
    expect(handedOut.every(allZero)).toBe(true);
  });

  test('an exception thrown by the output function propagates, and the data key is wiped', async () => {
    const { kms, handedOut } = fakeKms(6);
    await expect(seal(new Uint8Array(10), { keyIds: [ARN], kms, output: () => { throw new Error('no room'); } })).rejects.toThrow('no room');
    expect(handedOut.every(allZero)).toBe(true);
    const envelope = await seal(new Uint8Array(10), { keyIds: [ARN], kms });
    await expect(open(envelope, { kms, output: () => { throw new Error('no room'); } })).rejects.toThrow('no room');
    expect(handedOut.length).toBe(3);
    expect(handedOut.every(allZero)).toBe(true);
  });
});

describe('what output must return', () => {
  const plaintext = new Uint8Array(2000).fill(3);
  let envelope: Uint8Array;
  const { kms } = deterministicKms();
  beforeAll(async () => { envelope = await seal(plaintext, { keyIds: [ARN], kms, frameSize: MIN_FRAME_SIZE }); });

  type Case = [string, (n: number) => unknown, ErrorConstructor, RegExp];
  const bad: Case[] = [
    ['not a Uint8Array (an array)', n => new Array(n).fill(0), TypeError, /^output: expected the function to return a Uint8Array, got object$/],
    ['not a Uint8Array (an ArrayBuffer)', n => new ArrayBuffer(n), TypeError, /^output: expected the function to return a Uint8Array/],
    ['nothing', () => undefined, TypeError, /got undefined$/],
    ['null', () => null, TypeError, /got null$/],
    ['one byte short', n => new Uint8Array(n - 1), RangeError, /^output: expected a Uint8Array of exactly \d+ bytes, got \d+$/],
    ['one byte long', n => new Uint8Array(n + 1), RangeError, /^output: expected a Uint8Array of exactly \d+ bytes/],
    ['backed by a SharedArrayBuffer', n => new Uint8Array(new SharedArrayBuffer(n)), TypeError, /^output: a buffer backed by a SharedArrayBuffer is refused/],
  ];

  test.each(bad)('seal refuses %s, and the envelope is not left anywhere', async (_, output, type, message) => {
    const fake = fakeKms(11);
    const err = await seal(plaintext, { keyIds: [ARN], kms: fake.kms, output: output as (n: number) => Uint8Array }).catch(e => e);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
    expect(fake.handedOut.every(allZero)).toBe(true);
  });

  test.each(bad)('open refuses %s', async (_, output, type, message) => {
    const before = envelope.slice();
    const err = await open(envelope, { kms, output: output as (n: number) => Uint8Array }).catch(e => e);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
    expect(envelope).toEqual(before);
    // Nothing lost: the envelope still opens.
    expect((await open(envelope, { kms })).plaintext).toEqual(plaintext);
  });

  test('a buffer the function returned but the checks refused is left as it was', async () => {
    const refused = new Uint8Array(10_000).fill(0x5a);
    await expect(open(envelope, { kms, output: n => refused.subarray(0, n + 1) })).rejects.toBeInstanceOf(RangeError);
    await expect(seal(plaintext, { keyIds: [ARN], kms, output: n => refused.subarray(0, n - 1) })).rejects.toBeInstanceOf(RangeError);
    expect(refused.every(x => x === 0x5a)).toBe(true);
  });

  test('output that is not a function is refused before any KMS call', async () => {
    const fake = fakeKms(12);
    await expect(seal(plaintext, { keyIds: [ARN], kms: fake.kms, output: new Uint8Array(10) as never })).rejects.toThrow(/^output: expected a function/);
    await expect(open(envelope, { kms: fake.kms, output: 'x' as never })).rejects.toThrow(TypeError);
    expect(fake.calls).toEqual({});
  });

  test('overlapping the plaintext (seal) or the envelope (open) is a RangeError; both left intact', async () => {
    const shared = new Uint8Array(envelope.length * 3);
    const input = shared.subarray(100, 100 + plaintext.length);
    input.set(plaintext);
    // Ends inside the plaintext, starts inside it, contains it, and starts at its last byte.
    for (const start of [0, 150, 50, 100 + plaintext.length - 1]) {
      const err = await seal(input, { keyIds: [ARN], kms, output: n => shared.subarray(start, start + n) }).catch(e => e);
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe('output: must not overlap the plaintext (it would be overwritten before it is read)');
      expect(input).toEqual(plaintext);
    }
    const sealedHere = shared.subarray(0, envelope.length);
    sealedHere.set(envelope);
    const err = await open(sealedHere, { kms, output: n => shared.subarray(envelope.length - 1, envelope.length - 1 + n) }).catch(e => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('output: must not overlap the envelope (it would be overwritten before it is read)');
    expect(sealedHere).toEqual(envelope);
  });

  test('views of the same ArrayBuffer side by side do not overlap: accepted', async () => {
    const shared = new Uint8Array(plaintext.length + envelope.length + 16);
    const input = shared.subarray(0, plaintext.length);
    input.set(plaintext);
    const after = (n: number) => shared.subarray(plaintext.length, plaintext.length + n);
    const sealed = await seal(input, { keyIds: [ARN], kms, frameSize: MIN_FRAME_SIZE, output: after });
    const opened = await open(sealed, { kms, output: n => shared.subarray(0, n) });
    expect(opened.plaintext).toEqual(plaintext);
  });

  test('streams refuse output rather than ignore it', () => {
    const output = () => new Uint8Array(0);
    expect(() => createSealStream({ keyIds: [ARN], kms, output } as never)).toThrow(/^output: not supported by streams/);
    expect(() => createOpenStream({ kms, output } as never)).toThrow(TypeError);
  });
});

describe('through the real SDK and the emulator', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());

  test('seal and open into reused buffers, many messages', async () => {
    const sealInto = reusable(200 * KiB);
    const openInto = reusable(200 * KiB);
    for (const size of [0, 1, 70 * KiB, 150 * KiB + 3]) {
      const plaintext = new Uint8Array(size).map((_, i) => i * 7);
      sealInto.refill();
      const envelope = await seal(plaintext, { keyIds: [f.keyA, f.keyB], kms: f.kms, encryptionContext: { app: 'x' }, output: sealInto.output });
      expect(envelope.buffer).toBe(sealInto.buffer.buffer);
      openInto.refill();
      const opened = await open(envelope, { kms: f.kms, expect: { keyIds: [f.keyA] }, output: openInto.output });
      expect(opened.plaintext.buffer).toBe(openInto.buffer.buffer);
      expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
      expect(opened.keyId).toBe(f.keyA);
    }
  });

  test('KMS refuses: output is never called, for seal or for open', async () => {
    const output = jest.fn((n: number) => new Uint8Array(n));
    await expect(seal(new Uint8Array(10), { keyIds: ['alias/missing'], kms: f.kms, output })).rejects.toBeInstanceOf(KeyNotFoundError);
    const envelope = await seal(new Uint8Array(10), { keyIds: [f.keyB], kms: f.kms });
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyB }));
    try {
      await expect(seal(new Uint8Array(10), { keyIds: [f.keyB], kms: f.kms, output })).rejects.toBeInstanceOf(KmsAccessError);
      const options: OpenOptions = { kms: f.kms, output };
      await expect(open(envelope, options)).rejects.toBeInstanceOf(KmsAccessError);
    } finally {
      await f.kms.send(new EnableKeyCommand({ KeyId: f.keyB }));
    }
    expect(output).not.toHaveBeenCalled();
  });
});
