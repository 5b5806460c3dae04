import { KMSClient } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { envelopeFixture, EnvelopeFixture, text } from './support';
import { DataKeyCache, EnvelopeError, IntegrityError, open, rewrap, seal } from '../../src/envelope';
import { parseEnvelope } from '../../src/envelope/format';

/**
 * A tampered envelope releases nothing: every flipped, cut or extended byte ends in a typed envelope error
 * (a parse error before a key is involved, the one IntegrityError after), never in plaintext.
 */
describe('tampering', () => {
  let f: EnvelopeFixture;
  let envelope: Uint8Array;
  const plaintext = new Uint8Array(2500).map((_, i) => (i * 7) % 256);

  beforeAll(async () => {
    f = await envelopeFixture();
    envelope = await seal(plaintext, { keyIds: [f.keyA], encryptionContext: { purpose: 'fuzz' }, kms: f.kms, frameSize: 1024 });
  });
  afterAll(() => f.stop());

  const expectNoPlaintext = async (bytes: Uint8Array, kms: KMSClient) => {
    const result = await open(bytes, { kms }).then(() => 'opened', (err: unknown) => err);
    expect(result).toBeInstanceOf(EnvelopeError);
  };

  test('every single-byte flip of header and body fails (exhaustive over the header, sampled over the body)', async () => {
    const { bodyOffset } = parseEnvelope(envelope);
    const positions = [...Array(bodyOffset).keys()].filter(i => i < 60 || i >= bodyOffset - 40).concat(
      Array.from({ length: 60 }, (_, i) => bodyOffset + Math.floor((i * (envelope.length - bodyOffset)) / 60)));
    for (const position of positions) {
      const tampered = envelope.slice();
      tampered[position] = (tampered[position] + 1 + (position % 255)) % 256;
      await expectNoPlaintext(tampered, f.kms);
    }
  });

  test('bounded seeded mutation fuzz: flip, cut or extend anywhere (200 runs)', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    );
    await fc.assert(fc.asyncProperty(mutation, async m => {
      let bytes: Uint8Array;
      if (m.kind === 'flip') {
        bytes = envelope.slice();
        const at = m.at % bytes.length;
        bytes[at] = (bytes[at] + m.xor) % 256;
      } else if (m.kind === 'cut') {
        bytes = envelope.slice(0, m.at % envelope.length);
      } else {
        bytes = new Uint8Array([...envelope, ...m.bytes]);
      }
      await expectNoPlaintext(bytes, f.kms);
    }), { numRuns: 200, seed: 424242 });
  });

  test('a wrapped key from another envelope of another data key fails the commitment, not later', async () => {
    const other = await seal(text('other'), { keyIds: [f.keyA], encryptionContext: { purpose: 'fuzz' }, kms: f.kms, frameSize: 1024 });
    const a = parseEnvelope(envelope);
    const b = parseEnvelope(other);
    const otherWrappedKeys = other.subarray(b.headerBytes.length, b.bodyOffset);
    const swapped = new Uint8Array([...envelope.subarray(0, a.headerBytes.length), ...otherWrappedKeys, ...envelope.subarray(a.bodyOffset)]);
    await expect(open(swapped, { kms: f.kms })).rejects.toBeInstanceOf(IntegrityError);
  });

  test('a rewrapped envelope still opens, and its body bytes are untouched', async () => {
    const moved = await rewrap(envelope, { toKeyId: f.keyB, kms: f.kms });
    const before = parseEnvelope(envelope);
    const after = parseEnvelope(moved);
    expect(Buffer.from(moved.subarray(after.bodyOffset)).equals(Buffer.from(envelope.subarray(before.bodyOffset)))).toBe(true);
    expect(Buffer.from(after.headerBytes).equals(Buffer.from(before.headerBytes))).toBe(true);
    expect((await open(moved, { kms: f.kms })).plaintext).toEqual(plaintext);
  });
});

describe('key hygiene on failure', () => {
  test('with a cache, a data key that fails the commitment is zeroed and not cached', async () => {
    const f = await envelopeFixture();
    try {
      const a = await seal(text('a'), { keyIds: [f.keyA], kms: f.kms });
      const b = await seal(text('b'), { keyIds: [f.keyA], kms: f.kms });
      const pa = parseEnvelope(a);
      const pb = parseEnvelope(b);
      const swapped = new Uint8Array([
        ...a.subarray(0, pa.headerBytes.length), ...b.subarray(pb.headerBytes.length, pb.bodyOffset), ...a.subarray(pa.bodyOffset),
      ]);
      // Keep a reference to every data key KMS hands out, to see whether open zeroes it.
      const unwrapped: Uint8Array[] = [];
      const send = async (command: never) => {
        const out = await f.kms.send(command) as { Plaintext?: Uint8Array };
        if (out.Plaintext) unwrapped.push(out.Plaintext);
        return out;
      };
      const kms = { send: send as KMSClient['send'] };
      const cache = new DataKeyCache();
      await expect(open(swapped, { kms, cache })).rejects.toBeInstanceOf(IntegrityError);
      expect(unwrapped).toHaveLength(1);
      expect(unwrapped[0].every(x => x === 0)).toBe(true);
      expect(cache.stats.openMisses).toBe(1);
      await expect(open(swapped, { kms, cache })).rejects.toBeInstanceOf(IntegrityError);
      expect(unwrapped).toHaveLength(2); // nothing was cached from the failed open
    } finally {
      await f.stop();
    }
  });
});
