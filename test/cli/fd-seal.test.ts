import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import * as fc from 'fast-check';
import { UsageError } from '../../src/cli/exit-codes';
import { CLI_FRAME_SIZE, COLLECT_EVERY_BYTES, sealFd } from '../../src/cli/fd-seal';
import { EMPTY_INPUT } from '../../src/cli/input';
import { youngGc } from '../../src/cli/young-gc';
import { open } from '../../src/envelope';
import { nodeBackend } from '../../src/envelope/backends';
import { parseEnvelope } from '../../src/envelope/format';
import type { KmsOperation, KmsOperations } from '../../src/envelope/kms';
import { createSealStream } from '../../src/envelope/stream';

/** The CLI's frame. */
const FRAME = CLI_FRAME_SIZE;
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/fd-seal';

/**
 * A KMS of the plain-operations shape (what the stream worker hands the envelope), with a fixed data key, counting
 * its calls; each answer is a fresh copy, as a real client's is (the envelope wipes what it is given).
 */
function fixedKms(): KmsOperations & { calls: KmsOperation[] } {
  const calls: KmsOperation[] = [];
  return {
    calls,
    kmsOperation: async (operation: KmsOperation) => {
      calls.push(operation);
      return { Plaintext: new Uint8Array(32).fill(9), CiphertextBlob: new Uint8Array(40).fill(4), KeyId: KEY_ARN } as never;
    },
  };
}

/** Node's backend, but the same message id every time: two seals of one plaintext are then the same bytes. */
const fixedBackend = { ...nodeBackend, random: (n: number) => new Uint8Array(n).fill(0x42) };

/**
 * The stream worker's seal (blocking reads and writes on descriptors) writes exactly what the library's seal stream
 * writes, for any length, and what it writes opens.
 */
describe('sealFd', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'guarded-keys-fd-seal-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function viaFd(plaintext: Uint8Array, allowEmpty = true, collect?: () => void): Promise<{ bytes: Buffer; calls: KmsOperation[] }> {
    const input = join(dir, 'in.bin');
    const outPath = join(dir, 'out.gke');
    writeFileSync(input, plaintext);
    const output = openSync(outPath, 'w');
    const kms = fixedKms();
    try {
      await sealFd({ keyIds: [KEY_ARN], encryptionContext: { t: 'fd' }, kms, allowEmpty, input, output, backend: fixedBackend, collect });
    } finally {
      closeSync(output);
    }
    return { bytes: readFileSync(outPath), calls: kms.calls };
  }

  async function viaStream(plaintext: Uint8Array): Promise<Buffer> {
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(plaintext.length ? [Buffer.from(plaintext)] : [], { objectMode: false }),
      createSealStream({ keyIds: [KEY_ARN], encryptionContext: { t: 'fd' }, kms: fixedKms(), backend: fixedBackend, frameSize: FRAME }),
      new Writable({ write(chunk: Buffer, _e, cb) { out.push(chunk); cb(); } }),
    );
    return Buffer.concat(out);
  }

  test('byte for byte the seal stream\'s envelope, at any length (frame edges and the buffer\'s compaction included)', async () => {
    const edges = fc.constantFrom(0, 1, FRAME - 1, FRAME, FRAME + 1, 3 * FRAME, 4 * FRAME, 4 * FRAME + 1, 7 * FRAME + 3);
    const lengths = fc.oneof(edges, fc.integer({ min: 0, max: 9 * FRAME }));
    await fc.assert(fc.asyncProperty(lengths, fc.integer({ min: 0, max: 255 }), async (length, seed) => {
      const plaintext = new Uint8Array(length).map((_, i) => (i * 31 + seed) % 251);
      const [{ bytes }, expected] = await Promise.all([viaFd(plaintext), viaStream(plaintext)]);
      expect(bytes.equals(expected)).toBe(true);
      const opened = await open(bytes, { kms: fixedKms() });
      expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
    }), { numRuns: 25 });
  }, 60_000);

  test('64 KiB frames, not the library streams\' 256 KiB (the loop measured faster with them)', async () => {
    const { bytes } = await viaFd(new Uint8Array(FRAME + 1));
    expect(FRAME).toBe(64 * 1024);
    expect(parseEnvelope(bytes).header.frameSize).toBe(FRAME);
  });

  test('an empty input is refused before any KMS call unless allowed', async () => {
    await expect(viaFd(new Uint8Array(0), false)).rejects.toEqual(new UsageError(EMPTY_INPUT));
    const allowed = await viaFd(new Uint8Array(0), true);
    expect(allowed.calls).toEqual(['GenerateDataKey']);
  });

  test('collects young garbage once per 2 MiB sealed, and the collector is a working minor GC', async () => {
    // GIVEN 80 full frames and a final one
    expect(COLLECT_EVERY_BYTES).toBe(32 * FRAME);
    let collected = 0;
    // WHEN
    await viaFd(new Uint8Array(80 * FRAME + 1), true, () => collected++);
    // THEN 80 frames sealed before the final one: two collections (after frames 32 and 64)
    expect(collected).toBe(2);
    const gc = youngGc();
    expect(typeof gc).toBe('function');
    gc!();
  }, 30_000);
});
