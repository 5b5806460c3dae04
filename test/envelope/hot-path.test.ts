import { hkdfSync } from 'crypto';
import * as fc from 'fast-check';
import { CipherBackend, IntegrityError, nobleBackend, nodeBackend } from '../../src/envelope';
import { pooledRandom } from '../../src/envelope/backends';
import { concat, utf8, wipe } from '../../src/envelope/bytes';
import { encodeContext, encodeHeader, encodePreamble, encodeWrappedKeys, FINAL_FRAME_FLAG, frameAad, frameIv, u16, u32 } from '../../src/envelope/format';
import { deriveMessageKeys, FrameOpener, openBody, plaintextLengthOf, sealBody, sealFrame, sealFrameParts } from '../../src/envelope/frames';
import { runSourceScript } from '../support/fresh-process';

/**
 * The per-message shortcuts of the envelope's hot path give the same bytes and the same verdicts as what they
 * replaced: HKDF as two HMACs (against node's hkdfSync), the buffered open into one buffer (against the streaming
 * FrameOpener, on intact and tampered bodies), pooled random draws, and @noble loaded only when used.
 */
describe('HKDF-SHA512 as HMACs', () => {
  test('equals hkdfSync for any key, salt, info and length (one block and several)', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 1, max: 300 }),
      (ikm, salt, info, length) => {
        const expected = Buffer.from(hkdfSync('sha512', ikm, salt, info, length));
        expect(Buffer.from(nodeBackend.hkdfSha512(ikm, salt, info, length)).equals(expected)).toBe(true);
      },
    ), { numRuns: 300 });
  });

  test('hands out no derived byte it does not return: a shorter length is a copy of its own size, a whole block fresh per call', () => {
    for (const length of [1, 32, 63]) {
      const okm = nodeBackend.hkdfSha512(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array([3]), length);
      expect([okm.byteOffset, okm.buffer.byteLength]).toEqual([0, length]);
    }
    const first = nodeBackend.hkdfSha512(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array([3]), 64);
    const second = nodeBackend.hkdfSha512(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array([3]), 64);
    expect([first.byteOffset, first.buffer.byteLength]).toEqual([0, 64]);
    first.fill(0);
    expect(Buffer.from(second).equals(Buffer.from(hkdfSync('sha512', new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array([3]), 64)))).toBe(true);
  });

  test('refuses more than 255 blocks, as RFC 5869 does', () => {
    expect(() => nodeBackend.hkdfSha512(new Uint8Array(32), new Uint8Array(32), new Uint8Array(0), 255 * 64 + 1)).toThrow(RangeError);
  });
});

describe('message keys', () => {
  test.each([['node:crypto', nodeBackend], ['noble', nobleBackend]] as Array<[string, CipherBackend]>)(
    '%s: wiping the encryption key leaves only the public commitment in what HKDF returned', (_, backend) => {
    // HKDF-SHA512(data key, salt = message id, info = the format's label and the suite byte: docs/envelope-format.md).
      const info = concat([utf8('guarded-keys/v1'), new Uint8Array([1])]);
      const keys = deriveMessageKeys(backend, new Uint8Array(32).fill(5), new Uint8Array(32).fill(6), 1);
      const expected = Buffer.from(hkdfSync('sha512', new Uint8Array(32).fill(5), new Uint8Array(32).fill(6), info, 64));
      expect(Buffer.concat([keys.encryptionKey, keys.commitment]).equals(expected)).toBe(true);
      wipe(keys.encryptionKey);
      // The keys are views of one output (no copies to wipe): after the owner's wipe, its backing store holds zeros and
      // the commitment, which the header publishes, and nothing else.
      const store = new Uint8Array(keys.encryptionKey.buffer);
      expect(store.length).toBe(64);
      expect(Buffer.from(store).equals(Buffer.concat([Buffer.alloc(32), expected.subarray(32)]))).toBe(true);
    });
});

describe('buffered open into one buffer', () => {
  const key = new Uint8Array(32).fill(7);
  const header = new Uint8Array([1, 2, 3]);

  function streamed(body: Uint8Array, frameSize: number): string {
    try {
      const opener = new FrameOpener(nodeBackend, key, header, frameSize);
      const frames = opener.push(body);
      opener.finish();
      return Buffer.concat(frames).toString('hex');
    } catch (err) {
      if (err instanceof IntegrityError) return 'integrity';
      throw err;
    }
  }

  function buffered(body: Uint8Array, frameSize: number, backend = nodeBackend): string {
    try {
      return Buffer.from(openBody(backend, key, header, frameSize, body)).toString('hex');
    } catch (err) {
      if (err instanceof IntegrityError) return 'integrity';
      throw err;
    }
  }

  test('agrees with the streaming opener on intact, truncated, extended and flipped bodies (both backends)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5000 }), fc.constantFrom(1024, 1500, 4096),
      fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
      ),
      (length, frameSize, change) => {
        const plaintext = new Uint8Array(length).map((_, i) => i * 31);
        let body = sealBody(nodeBackend, key, header, frameSize, plaintext);
        if (change.kind === 'flip') body[change.at % body.length] = (body[change.at % body.length] + 2 ** change.bit) % 256;
        if (change.kind === 'cut') body = body.subarray(0, change.at % body.length);
        if (change.kind === 'append') body = new Uint8Array([...body, ...change.extra]);
        const expected = streamed(body, frameSize);
        expect(buffered(body, frameSize)).toBe(expected);
        if (change.kind === 'none') expect(expected).toBe(Buffer.from(plaintext).toString('hex'));
        if (length < 1500) expect(buffered(body, frameSize, nobleBackend)).toBe(expected);
      },
    ), { numRuns: 200 });
  });

  test('the plaintext length implied by a body is that of the body seal wrote', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1024, max: 9000 }), (length, frameSize) => {
      const body = sealBody(nodeBackend, key, header, frameSize, new Uint8Array(length));
      expect(plaintextLengthOf(body.length, frameSize)).toBe(length);
    }), { numRuns: 50 });
  });
});

describe('streamed frames as parts', () => {
  test('the parts a stream pushes are the bytes of the whole frame (final and not, both backends)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), (plaintext, sequence, final) => {
      const key = new Uint8Array(32).fill(3);
      const header = new Uint8Array([9, 9]);
      for (const backend of [nodeBackend, nobleBackend]) {
        const whole = Buffer.from(sealFrame(backend, key, header, sequence, final, plaintext));
        expect(Buffer.concat(sealFrameParts(backend, key, header, sequence, final, plaintext)).equals(whole)).toBe(true);
      }
    }), { numRuns: 100 });
  });
});

describe('one IV and one AAD per message', () => {
  /** A backend that records, per call, the IV and AAD objects it was handed and their bytes at that moment. */
  function recording(inner: CipherBackend) {
    const calls: Array<{ iv: Uint8Array; aad: Uint8Array; ivBytes: string; aadBytes: string }> = [];
    const note = (iv: Uint8Array, aad: Uint8Array) => calls.push({ iv, aad, ivBytes: Buffer.from(iv).toString('hex'), aadBytes: Buffer.from(aad).toString('hex') });
    const backend: CipherBackend = {
      ...inner,
      seal: (key, iv, aad, plaintext) => (note(iv, aad), inner.seal(key, iv, aad, plaintext)),
      open: (key, iv, aad, sealed) => (note(iv, aad), inner.open(key, iv, aad, sealed)),
      sealInto: inner.sealInto && ((key, iv, aad, plaintext, out, offset) => (note(iv, aad), inner.sealInto!(key, iv, aad, plaintext, out, offset))),
      openInto: inner.openInto && ((key, iv, aad, sealed, out, offset) => (note(iv, aad), inner.openInto!(key, iv, aad, sealed, out, offset))),
    };
    return { backend, calls };
  }

  /** Every frame's sequence word and plaintext length, in order, for a plaintext of this length. */
  function frameWords(length: number, frameSize: number): Array<[number, number]> {
    const frames = Math.max(1, Math.ceil(length / frameSize));
    return Array.from({ length: frames }, (_, i) => i + 1 === frames
      ? [i + 1 + FINAL_FRAME_FLAG, length - i * frameSize] as [number, number] : [i + 1, frameSize] as [number, number]);
  }

  test('seal, buffered open and the streaming opener rewrite one IV and one AAD per message, with the bytes of fresh ones (both backends)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 9000 }), fc.constantFrom(1024, 1500, 4096), fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom(nodeBackend, nobleBackend), fc.integer({ min: 1, max: 5000 }),
      (length, frameSize, header, inner, chunk) => {
        const key = new Uint8Array(32).fill(5);
        const plaintext = new Uint8Array(length).map((_, i) => i * 7);
        const words = frameWords(length, frameSize);
        const expected = words.map(([word, n]) => ({ ivBytes: Buffer.from(frameIv(word)).toString('hex'), aadBytes: Buffer.from(frameAad(header, word, n)).toString('hex') }));
        // The reference body: each frame sealed on its own, with an IV and AAD of its own (sealFrame allocates them).
        const reference = Buffer.concat(words.map(([word], i) => sealFrame(inner, key, header, i + 1, word >= FINAL_FRAME_FLAG,
          plaintext.subarray(i * frameSize, Math.min(length, (i + 1) * frameSize)))));

        const sealing = recording(inner);
        expect(Buffer.from(sealBody(sealing.backend, key, header, frameSize, plaintext)).equals(reference)).toBe(true);
        const opening = recording(inner);
        expect(Buffer.from(openBody(opening.backend, key, header, frameSize, reference)).equals(plaintext)).toBe(true);
        const streaming = recording(inner);
        // The streaming opener fed in chunks of any size, so frames complete across pushes.
        const opener = new FrameOpener(streaming.backend, key, header, frameSize);
        const opened: Uint8Array[] = [];
        for (let at = 0; at < reference.length; at += chunk) opened.push(...opener.push(reference.subarray(at, at + chunk)));
        expect(Buffer.concat(opened).equals(plaintext)).toBe(true);
        opener.finish();

        for (const { calls } of [sealing, opening, streaming]) {
          expect(calls.map(({ ivBytes, aadBytes }) => ({ ivBytes, aadBytes }))).toEqual(expected);
          expect(new Set(calls.map(c => c.iv)).size).toBe(1);
          expect(new Set(calls.map(c => c.aad)).size).toBe(1);
        }
      },
    ), { numRuns: 60 });
  });
});

describe('pooled random bytes', () => {
  test('draws are fresh copies, distinct, of the length asked, across pool refills', () => {
    const seen = new Set<string>();
    const draws: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      const draw = pooledRandom(16);
      expect(draw.length).toBe(16);
      seen.add(Buffer.from(draw).toString('hex'));
      draws.push(draw);
    }
    expect(seen.size).toBe(1000);
    // a caller writing to its draw changes nothing for the next one
    draws[0].fill(0);
    expect(Buffer.from(pooledRandom(16)).equals(Buffer.alloc(16))).toBe(false);
    expect(pooledRandom(5000).length).toBe(5000);
  });
});

describe('the preamble written into one buffer', () => {
  test('is the header and wrapped keys field by field, as the format table lays them out, with the room after them', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1024, max: 16 * 1024 * 1024 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.array(fc.record({ keyId: fc.string({ minLength: 1, maxLength: 40 }), ciphertext: fc.uint8Array({ maxLength: 300 }) }),
        { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 100 }),
      (messageId, frameSize, encryptionContext, commitment, keys, room) => {
        const header = { version: 1, suite: 1, messageId, frameSize, encryptionContext, commitment };
        // The format table, written out with the field helpers
        const context = encodeContext(encryptionContext);
        const expectedHeader = concat([new Uint8Array([1, 1]), messageId, u32(frameSize), u16(context.length), context, commitment]);
        const expectedKeys = concat([
          u16(keys.length), ...keys.flatMap(k => [u16(utf8(k.keyId).length), utf8(k.keyId), u16(k.ciphertext.length), k.ciphertext]),
        ]);
        const written = encodePreamble(header, keys, room);
        expect(Buffer.from(written.headerBytes).equals(expectedHeader)).toBe(true);
        expect(Buffer.from(written.preamble).equals(concat([expectedHeader, expectedKeys]))).toBe(true);
        expect(written.bytes.length).toBe(expectedHeader.length + expectedKeys.length + room);
        expect(Buffer.from(encodeHeader(header)).equals(expectedHeader)).toBe(true);
        expect(Buffer.from(encodeWrappedKeys(keys)).equals(expectedKeys)).toBe(true);
      },
    ), { numRuns: 200 });
  });
});

describe('lazy loading', () => {
  test('sealing and opening with node:crypto never loads @noble; the noble backend loads it on first use', () => {
    const script = `
      const env = require('./src/envelope');
      const key = new Uint8Array(32), iv = new Uint8Array(12), aad = new Uint8Array(0);
      const sealed = env.nodeBackend.seal(key, iv, aad, new Uint8Array(10));
      env.nodeBackend.hkdfSha512(key, iv, aad, 64);
      const before = Object.keys(require.cache).filter(k => k.includes('@noble')).length;
      env.nobleBackend.open(key, iv, aad, sealed);
      const after = Object.keys(require.cache).filter(k => k.includes('@noble')).length;
      process.stdout.write(JSON.stringify({ before, after }));
    `;
    const result = runSourceScript(script);
    expect(result.stderr).toBe('');
    const { before, after } = JSON.parse(result.stdout);
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  }, 30_000);

  test('the envelope loads @aws-sdk/client-kms at its first KMS call, not when it is required', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).filter(k => k.includes('@aws-sdk/client-kms')).length;
      const env = require('./src/envelope');
      const before = loaded();
      const kms = { send: async command => ({ Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(8), KeyId: command.constructor.name }) };
      env.seal(new Uint8Array(10), { keyIds: ['k'], kms }).then(sealed => {
        const keyId = env.inspect(sealed).wrappedKeys[0].keyId;
        process.stdout.write(JSON.stringify({ before, after: loaded(), keyId }));
      });
    `;
    const result = runSourceScript(script);
    expect(result.stderr).toBe('');
    const { before, after, keyId } = JSON.parse(result.stdout);
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
    // the command KMS received is the SDK's own class, as a KMSClient needs
    expect(keyId).toBe('GenerateDataKeyCommand');
  }, 30_000);
});
