import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { countingKms, envelopeFixture, EnvelopeFixture, text } from './support';
import { createOpenStream, createOpenWebStream, createSealStream, createSealWebStream, DataKeyCache, IntegrityError, open, seal } from '../../src/envelope';

async function collect(source: Uint8Array, transform: NodeJS.ReadWriteStream, chunk = 700): Promise<{ out: Uint8Array; error?: unknown }> {
  const parts: Buffer[] = [];
  const input = Readable.from((function* () {
    for (let i = 0; i < source.length; i += chunk) yield Buffer.from(source.subarray(i, i + chunk));
  })());
  try {
    await pipeline(input, transform, async function* (stream) {
      for await (const piece of stream) parts.push(piece as Buffer);
    });
    return { out: new Uint8Array(Buffer.concat(parts)) };
  } catch (error) {
    return { out: new Uint8Array(Buffer.concat(parts)), error };
  }
}

describe('data-key cache', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());

  test('1,000 cached seals make one GenerateDataKey; opens of them make one Decrypt', async () => {
    const counting = countingKms(f.kms);
    const cache = new DataKeyCache();
    const envelopes: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      envelopes.push(await seal(text(`m${i}`), { keyIds: [f.keyA], encryptionContext: { t: 'a' }, kms: counting.kms, cache }));
    }
    expect(counting.calls).toEqual({ GenerateDataKey: 1 });
    for (const e of envelopes.slice(0, 50)) await open(e, { kms: counting.kms, cache });
    expect(counting.calls).toEqual({ GenerateDataKey: 1, Decrypt: 1 });
    expect(cache.stats).toEqual({ sealHits: 999, sealMisses: 1, openHits: 49, openMisses: 1 });
  });

  test('entries are partitioned by context and limited by messages, bytes and age; evicted keys are zeroed', async () => {
    let now = 0;
    const counting = countingKms(f.kms);
    const cache = new DataKeyCache({ maxMessages: 3, maxBytes: 100, maxAgeMs: 1000, now: () => now });
    const sealOne = (context: Record<string, string>, size = 1) =>
      seal(new Uint8Array(size), { keyIds: [f.keyA], encryptionContext: context, kms: counting.kms, cache });
    await sealOne({ t: 'a' });
    await sealOne({ t: 'b' });
    expect(counting.calls.GenerateDataKey).toBe(2);
    await sealOne({ t: 'a' });
    await sealOne({ t: 'a' });
    expect(counting.calls.GenerateDataKey).toBe(2);
    await sealOne({ t: 'a' }); // fourth message of that key
    expect(counting.calls.GenerateDataKey).toBe(3);
    await sealOne({ t: 'a' }, 200); // over maxBytes: never cached
    expect(counting.calls.GenerateDataKey).toBe(4);
    now += 1000;
    await sealOne({ t: 'b' });
    expect(counting.calls.GenerateDataKey).toBe(5);
    const internal = (cache as unknown as { sealEntries: Map<string, { dataKey: Uint8Array }> }).sealEntries;
    const keys = [...internal.values()].map(e => e.dataKey);
    cache.clear();
    expect(keys.every(k => k.every(b => b === 0))).toBe(true);
  });
});

describe('streaming', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());
  const plaintext = new Uint8Array(10_000).map((_, i) => i % 256);

  test('a streamed seal opens buffered, and a buffered seal opens streamed', async () => {
    const streamed = await collect(plaintext, createSealStream({ keyIds: [f.keyA], kms: f.kms, frameSize: 1024 }));
    expect(streamed.error).toBeUndefined();
    expect((await open(streamed.out, { kms: f.kms })).plaintext).toEqual(plaintext);
    const buffered = await seal(plaintext, { keyIds: [f.keyA], kms: f.kms, frameSize: 1024 });
    const opened = await collect(buffered, createOpenStream({ kms: f.kms }), 333);
    expect(opened.error).toBeUndefined();
    expect(opened.out).toEqual(plaintext);
  });

  test('a truncated stream fails at the end, after releasing only verified frames', async () => {
    const buffered = await seal(plaintext, { keyIds: [f.keyA], kms: f.kms, frameSize: 1024 });
    const truncated = buffered.subarray(0, buffered.length - 500);
    const opened = await collect(truncated, createOpenStream({ kms: f.kms }));
    expect(opened.error).toBeInstanceOf(IntegrityError);
    expect(opened.out.length % 1024).toBe(0);
    expect(opened.out).toEqual(plaintext.subarray(0, opened.out.length));
  });

  test('a tampered frame stops the stream at that frame', async () => {
    const buffered = await seal(plaintext, { keyIds: [f.keyA], kms: f.kms, frameSize: 1024 });
    const tampered = buffered.slice();
    tampered[tampered.length - 3000] = (tampered[tampered.length - 3000] + 1) % 256;
    const opened = await collect(tampered, createOpenStream({ kms: f.kms }));
    expect(opened.error).toBeInstanceOf(IntegrityError);
    expect(opened.out.length).toBeLessThan(plaintext.length);
  });

  test('web streams: pipeThrough seal then open gives the plaintext back', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < plaintext.length; i += 4096) controller.enqueue(plaintext.subarray(i, i + 4096));
        controller.close();
      },
    });
    const opened = source
      .pipeThrough(createSealWebStream({ keyIds: [f.keyA], kms: f.kms, frameSize: 1024 }))
      .pipeThrough(createOpenWebStream({ kms: f.kms }));
    const parts: Uint8Array[] = [];
    for await (const part of opened as unknown as AsyncIterable<Uint8Array>) parts.push(part);
    expect(new Uint8Array(Buffer.concat(parts))).toEqual(plaintext);
  });
});
