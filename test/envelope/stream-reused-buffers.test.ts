import { Transform } from 'stream';
import * as fc from 'fast-check';
import { FAKE_KEY_A, fakeKms } from './fake-kms';
import { createOpenWebStream, createSealStream, createSealWebStream, open, seal } from '../../src/envelope';
import { concat } from '../../src/envelope/bytes';
import { ChunkQueue } from '../../src/envelope/chunk-queue';

/**
 * A writer may refill its buffer once a write is called back (or, on a web stream, once `write()` resolved). The
 * seal stream keeps up to a frame past that point (it cannot know yet whether it is the last one); it once kept it as
 * a view of the writer's buffer, and sealed the refilled bytes: an envelope that opened, authenticated, to the wrong
 * plaintext. These write every chunk from one reused buffer and open what was sealed.
 */
/** Everything a web stream's readable side gives, as one array. */
async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of readable as unknown as AsyncIterable<Uint8Array>) parts.push(new Uint8Array(part));
  return concat(parts);
}

describe('a seal stream whose writer reuses its buffer', () => {
  const { kms } = fakeKms(7);
  const frameSizes = fc.constantFrom(1024, 4096);

  /** Writes `chunks` through one buffer, refilled after each write is called back; the sealed bytes. */
  async function sealThroughNode(stream: Transform, chunks: Uint8Array[]): Promise<Uint8Array> {
    const out: Uint8Array[] = [];
    stream.on('data', (d: Uint8Array) => out.push(new Uint8Array(d)));
    const ended = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
    const reused = Buffer.alloc(Math.max(1, ...chunks.map(c => c.length)));
    for (const chunk of chunks) {
      reused.set(chunk);
      await new Promise<void>((resolve, reject) => stream.write(reused.subarray(0, chunk.length), err => (err ? reject(err) : resolve())));
      reused.fill(0xee); // what the writer does next with its buffer
    }
    stream.end();
    await ended;
    return concat(out);
  }

  test('Node stream: the envelope opens to what was written, at any chunking', async () => {
    await fc.assert(fc.asyncProperty(
      frameSizes, fc.array(fc.uint8Array({ minLength: 1, maxLength: 5000 }), { minLength: 1, maxLength: 8 }),
      async (frameSize, chunks) => {
        const sealed = await sealThroughNode(createSealStream({ keyIds: [FAKE_KEY_A], kms, frameSize }), chunks);
        expect(Buffer.from((await open(sealed, { kms })).plaintext)).toEqual(Buffer.from(concat(chunks)));
      },
    ), { numRuns: 60 });
  });

  test('Node stream: chunks of exactly a frame, the case where a whole chunk waits for the next', async () => {
    const chunks = [1, 2, 3].map(n => new Uint8Array(1024).fill(n));
    const sealed = await sealThroughNode(createSealStream({ keyIds: [FAKE_KEY_A], kms, frameSize: 1024 }), chunks);
    expect(Buffer.from((await open(sealed, { kms })).plaintext)).toEqual(Buffer.from(concat(chunks)));
  });

  test('web stream: a buffer refilled after each awaited write', async () => {
    const { readable, writable } = createSealWebStream({ keyIds: [FAKE_KEY_A], kms, frameSize: 1024 });
    const collected = collect(readable);
    const writer = writable.getWriter();
    const reused = new Uint8Array(1024);
    const expected: Uint8Array[] = [];
    for (let i = 1; i <= 4; i++) {
      reused.fill(i);
      expected.push(reused.slice());
      await writer.write(reused);
    }
    await writer.close();
    expect(Buffer.from((await open(await collected, { kms })).plaintext)).toEqual(Buffer.from(concat(expected)));
  });
});

describe('an open stream whose writer reuses its buffer', () => {
  test('web stream: an envelope written in pieces through one refilled buffer opens', async () => {
    const { kms } = fakeKms(8);
    const plaintext = new Uint8Array(5000).map((_, i) => i % 251);
    const sealed = await seal(plaintext, { keyIds: [FAKE_KEY_A], kms, frameSize: 1024 });
    const { readable, writable } = createOpenWebStream({ kms });
    const collected = collect(readable);
    const writer = writable.getWriter();
    const reused = new Uint8Array(700);
    for (let at = 0; at < sealed.length; at += reused.length) {
      const piece = sealed.subarray(at, at + reused.length);
      reused.set(piece);
      await writer.write(reused.subarray(0, piece.length));
      reused.fill(0xee);
    }
    await writer.close();
    expect(Buffer.from(await collected)).toEqual(Buffer.from(plaintext));
  });
});

describe('ChunkQueue.detach', () => {
  test('wipeOwned zeroes the copied plaintext and empties the queue', () => {
    const queue = new ChunkQueue();
    queue.add(new Uint8Array(100).fill(7));
    queue.detach();
    const held = queue.take(100); // a view of the queue's own memory
    queue.add(new Uint8Array(50).fill(9));
    queue.detach();
    queue.wipeOwned();
    expect(queue.length).toBe(0);
    expect(held.every(b => b === 0)).toBe(true);
  });

  test('takes return the bytes as queued, however the sources change after a detach (against a plain array)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.nat(400), fc.boolean()), { maxLength: 30 }),
      steps => {
        const queue = new ChunkQueue();
        const model: number[] = [];
        for (const [chunk, want, detach] of steps) {
          const source = chunk.slice();
          queue.add(source);
          model.push(...chunk);
          const n = Math.min(want, queue.length);
          expect(Array.from(queue.take(n))).toEqual(model.splice(0, n));
          if (detach) {
            queue.detach();
            source.fill(0xee); // the writer's buffer, refilled
          }
          expect(queue.length).toBe(model.length);
          if (detach) expect(Array.from(queue.peek(queue.length))).toEqual(model);
        }
      },
    ), { numRuns: 300 });
  });
});
