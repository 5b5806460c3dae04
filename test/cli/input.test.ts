import { Readable } from 'stream';
import * as fc from 'fast-check';
import { countRest, followedBy, readPreamble } from '../../src/cli/input';
import { MalformedEnvelopeError } from '../../src/envelope';
import { encodeHeader, encodeWrappedKeys, parseEnvelope } from '../../src/envelope/format';

/** Envelope-shaped bytes: a real header and wrapped keys (ASCII context keys), then arbitrary body bytes. */
const envelopeBytes = fc.record({
  messageId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  context: fc.dictionary(fc.stringMatching(/^[a-z]{1,12}$/), fc.string({ maxLength: 40 }), { maxKeys: 6 }),
  commitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  wrapped: fc.array(fc.record({ keyId: fc.stringMatching(/^arn:aws:kms:eu-west-1:\d{12}:key\/[0-9a-f-]{1,36}$/), ciphertext: fc.uint8Array({ minLength: 1, maxLength: 300 }) }), { minLength: 1, maxLength: 5 }),
  // A length, not random bytes: the parser never reads the body, and an integer shrinks fast when a run fails.
  body: fc.integer({ min: 0, max: 20_000 }).map(n => Uint8Array.from({ length: n }, (_, i) => i % 251)),
}).map(e => Buffer.concat([
  encodeHeader({ version: 1, suite: 1, messageId: e.messageId, frameSize: 4096, encryptionContext: e.context, commitment: e.commitment }),
  encodeWrappedKeys(e.wrapped),
  e.body,
]));

/** The bytes cut into chunks of the given sizes (cycled), as a stream that produces a chunk only when asked. */
function chunked(bytes: Buffer, sizes: number[]): { source: Readable; pulled: () => number } {
  let offset = 0;
  let turn = 0;
  const source = new Readable({
    highWaterMark: 1,
    read() {
      if (offset >= bytes.length) return void this.push(null);
      const size = sizes[turn++ % sizes.length];
      this.push(bytes.subarray(offset, offset + size));
      offset += size;
    },
  });
  return { source, pulled: () => Math.min(offset, bytes.length) };
}

describe('readPreamble', () => {
  test('any chunking: the preamble parses as from the whole, not much more is read, and nothing is lost', async () => {
    const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });
    await fc.assert(fc.asyncProperty(envelopeBytes, chunkSizes, async (whole, sizes) => {
      const expected = parseEnvelope(whole);
      const { source, pulled } = chunked(whole, sizes);
      // WHEN the preamble is read
      const { parsed, bytes } = await readPreamble(source);
      // THEN it is the whole envelope's preamble, read with at most about twice its size (plus two chunks)
      expect(parsed.bodyOffset).toBe(expected.bodyOffset);
      expect(parsed.wrappedKeys).toEqual(expected.wrappedKeys);
      expect(parsed.header.encryptionContext).toEqual(expected.header.encryptionContext);
      expect(pulled()).toBeLessThanOrEqual(2 * expected.bodyOffset + 2 * Math.max(...sizes));
      expect(Buffer.from(bytes).equals(whole.subarray(0, bytes.length))).toBe(true);
      // AND what was read plus what is left is the input, byte for byte
      const rest: Buffer[] = [];
      for await (const chunk of followedBy([bytes], source)) rest.push(chunk as Buffer);
      expect(Buffer.concat(rest).equals(whole)).toBe(true);
    }), { numRuns: 200 });
  });

  test('a preamble cut short fails as malformed at the end of the input, at any cut', async () => {
    await fc.assert(fc.asyncProperty(envelopeBytes, fc.nat(), fc.integer({ min: 1, max: 300 }), async (whole, cutSeed, size) => {
      const cut = cutSeed % parseEnvelope(whole).bodyOffset;
      const { source } = chunked(whole.subarray(0, cut), [size]);
      await expect(readPreamble(source)).rejects.toBeInstanceOf(MalformedEnvelopeError);
    }), { numRuns: 100 });
  });

  test('countRest counts what the preamble read left', async () => {
    const whole = fc.sample(envelopeBytes, { numRuns: 1, seed: 7 })[0];
    const { source } = chunked(whole, [100]);
    const { bytes } = await readPreamble(source);
    expect(bytes.length + await countRest(source)).toBe(whole.length);
  });
});
