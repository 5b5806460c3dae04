import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MessageChannel } from 'worker_threads';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { buildSync } from 'esbuild';
import * as fc from 'fast-check';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_FRAME_SIZE } from '../../src/cli/fd-seal';
import { forThread } from '../../src/cli/stream-worker-protocol';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { parseEnvelope } from '../../src/envelope/format';

const ROOT = join(__dirname, '..', '..');
/** The CLI's frame. */
const FRAME = CLI_FRAME_SIZE;

interface Ran {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** The modules each thread loaded, by thread id (0: the main thread; 1: the stream worker, when one ran). */
  readonly threads: Map<number, string[]>;
}

/**
 * `seal` and `open` on stdout stream in a worker thread that never loads the AWS SDK, while the main thread makes
 * the KMS calls (src/cli/stream-worker.ts). These run the CLI bundled as the published package loads it, stdin
 * and stdout pipes, and compare the worker with the main-thread path (GUARDED_KEYS_STREAM_WORKER=0): same bytes
 * out, same exit codes, same messages. A preloaded hook lists the modules each thread loaded.
 */
describe('the CLI stream worker', () => {
  let emulator: RunningEmulator;
  let kms: KMSClient;
  let dir: string;
  let cli: string;
  let hook: string;
  let key: string;
  let env: NodeJS.ProcessEnv;
  let runs = 0;

  beforeAll(async () => {
    emulator = await startEmulator();
    kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-worker-'));
    cli = join(dir, 'guarded-keys.js');
    hook = join(dir, 'threads.js');
    buildSync({ entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'error' });
    // Preloaded in every thread (a worker inherits the process's --require): at its exit, the modules it loaded.
    writeFileSync(hook, `const { threadId } = require('worker_threads');
process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_OUT + '.' + threadId, Object.keys(require.cache).join('\\n')));`);
    env = {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      NODE_NO_WARNINGS: '1',
      AWS_ENDPOINT_URL_KMS: emulator.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAWORKER',
      AWS_SECRET_ACCESS_KEY: 'worker-secret',
    };
  });
  afterAll(async () => {
    kms.destroy();
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  });

  /**
   * Runs the CLI with `input` on a stdin pipe and stdout a pipe; `worker: false` forces the main-thread path;
   * `readAfterMs` leaves stdout unread that long (the pipe fills and the writer must wait).
   */
  const run = (args: string[], input: Buffer, worker = true, readAfterMs = 0) => new Promise<Ran>((resolve, reject) => {
    const loaded = join(dir, `loaded-${runs++}`);
    const child = spawn(process.execPath, ['-r', hook, cli, ...args], {
      env: { ...env, LOADED_OUT: loaded, GUARDED_KEYS_STREAM_WORKER: worker ? '1' : '0' },
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    if (readAfterMs > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), readAfterMs);
    }
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdin.on('error', () => undefined); // a CLI that refuses early may close its stdin first
    child.on('error', reject);
    child.on('close', code => {
      const threads = new Map<number, string[]>();
      for (const id of [0, 1, 2]) if (existsSync(`${loaded}.${id}`)) threads.set(id, readFileSync(`${loaded}.${id}`, 'utf8').split('\n'));
      resolve({ code, stdout: Buffer.concat(out), stderr: err, threads });
    });
    child.stdin.end(input);
  });
  const sdkModules = (modules: string[] = []) => modules.filter(m => /node_modules\/@(aws-sdk|smithy)\//.test(m));

  test('seal and open round-trip in the worker, which never loads the AWS SDK; the main thread does', async () => {
    // GIVEN several frames and a partial one
    const plaintext = Buffer.alloc(3 * FRAME + 1234, 0x5a);
    // WHEN
    const sealed = await run(['seal', '--key', key, '--context', 'tenant=acme'], plaintext);
    const opened = await run(['open', '--expect-context', 'tenant=acme'], sealed.stdout);
    // THEN
    expect([sealed.code, opened.code]).toEqual([EXIT.ok, EXIT.ok]);
    expect(opened.stdout.equals(plaintext)).toBe(true);
    for (const ran of [sealed, opened]) {
      expect(ran.threads.has(1)).toBe(true); // a worker ran
      expect(ran.threads.has(2)).toBe(false); // and only one
      expect(sdkModules(ran.threads.get(1))).toEqual([]);
      expect(sdkModules(ran.threads.get(0)).length).toBeGreaterThan(0);
    }
  }, 60_000);

  test('a reader slower than the worker (a full pipe, which may be non-blocking) gets every byte', async () => {
    // The main thread's SDK creates process.stdout, which makes a pipe on fd 1 non-blocking: the worker's writes
    // then meet EAGAIN whenever the pipe is full, and must wait and retry rather than fail or drop bytes.
    const plaintext = Buffer.alloc(40 * FRAME + 5, 0x61);
    const sealed = await run(['seal', '--key', key], plaintext, true, 500);
    expect(sealed.code).toBe(EXIT.ok);
    const opened = await run(['open'], sealed.stdout, true, 500);
    expect(opened.code).toBe(EXIT.ok);
    expect(opened.stdout.equals(plaintext)).toBe(true);
  }, 60_000);

  test('the main-thread path (GUARDED_KEYS_STREAM_WORKER=0) starts no worker, and opens what the worker sealed', async () => {
    const plaintext = Buffer.from('sealed in the worker, opened without it');
    const sealed = await run(['seal', '--key', key], plaintext);
    const opened = await run(['open'], sealed.stdout, false);
    expect(opened.code).toBe(EXIT.ok);
    expect(opened.stdout.toString()).toBe(plaintext.toString());
    expect(opened.threads.has(1)).toBe(false);
  }, 60_000);

  test('any length, either path: the same envelope structure, and each opens what the other sealed', async () => {
    // Lengths around the frame size and random ones; bounded: each case is four CLI processes.
    const lengths = fc.oneof(fc.constantFrom(0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME), fc.integer({ min: 0, max: 4 * FRAME }));
    await fc.assert(fc.asyncProperty(lengths, fc.integer({ min: 0, max: 255 }), async (length, fill) => {
      const plaintext = Buffer.alloc(length, fill);
      const [inWorker, inMain] = await Promise.all([
        run(['seal', '--allow-empty', '--key', key], plaintext),
        run(['seal', '--allow-empty', '--key', key], plaintext, false),
      ]);
      expect([inWorker.code, inMain.code]).toEqual([EXIT.ok, EXIT.ok]);
      // Same length and header fields (the message id, data key and so the bytes differ by design).
      expect(inWorker.stdout.length).toBe(inMain.stdout.length);
      const [a, b] = [parseEnvelope(inWorker.stdout), parseEnvelope(inMain.stdout)];
      expect([a.header.frameSize, b.header.frameSize]).toEqual([FRAME, FRAME]);
      expect(a.wrappedKeys.map(w => w.keyId)).toEqual(b.wrappedKeys.map(w => w.keyId));
      const [workerOpensMain, mainOpensWorker] = await Promise.all([run(['open'], inMain.stdout), run(['open'], inWorker.stdout, false)]);
      expect(workerOpensMain.stdout.equals(plaintext)).toBe(true);
      expect(mainOpensWorker.stdout.equals(plaintext)).toBe(true);
    }), { numRuns: 6 });
  }, 120_000);

  test('a tampered envelope: exit 3, the same message as the main thread, and no plaintext written', async () => {
    // GIVEN an envelope whose every byte past the preamble may be flipped
    const plaintext = Buffer.alloc(2 * FRAME + 77, 0x33);
    const sealed = (await run(['seal', '--key', key], plaintext)).stdout;
    const bodyOffset = parseEnvelope(sealed).bodyOffset;
    await fc.assert(fc.asyncProperty(fc.integer({ min: bodyOffset, max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
      const tampered = Buffer.from(sealed);
      tampered[at] = (tampered[at] + xor) % 256; // another byte
      // WHEN
      const [inWorker, inMain] = await Promise.all([run(['open'], tampered), run(['open'], tampered, false)]);
      // THEN
      expect(inWorker.code).toBe(EXIT.integrity);
      expect(inWorker.stdout.length).toBe(0);
      expect(inWorker.stderr).toBe(inMain.stderr);
      expect(inMain.code).toBe(EXIT.integrity);
    }), { numRuns: 4 });
  }, 120_000);

  test('KMS refusing in the main thread is reported as before: exit 4, the same message, nothing written', async () => {
    // GIVEN an envelope, then its key disabled
    const refused = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const sealed = (await run(['seal', '--key', refused], Buffer.from('secret'))).stdout;
    await kms.send(new DisableKeyCommand({ KeyId: refused }));
    try {
      // WHEN sealing and opening with it
      const [sealWorker, sealMain, openWorker, openMain] = await Promise.all([
        run(['seal', '--key', refused], Buffer.from('more')),
        run(['seal', '--key', refused], Buffer.from('more'), false),
        run(['open'], sealed),
        run(['open'], sealed, false),
      ]);
      // THEN
      for (const [worker, main] of [[sealWorker, sealMain], [openWorker, openMain]]) {
        expect(worker.code).toBe(EXIT.kms);
        expect(worker.stdout.length).toBe(0);
        expect(worker.stderr).toMatch(/DisabledException/);
        expect(worker.stderr).toBe(main.stderr);
        expect(worker.threads.has(1)).toBe(true);
      }
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: refused }));
    }
  }, 60_000);

  test('an empty stdin is refused before a worker starts or KMS is called: exit 2, the same message', async () => {
    const [inWorker, inMain] = await Promise.all([run(['seal', '--key', key], Buffer.alloc(0)), run(['seal', '--key', key], Buffer.alloc(0), false)]);
    expect(inWorker.code).toBe(EXIT.usage);
    expect(inWorker.stderr).toBe(inMain.stderr);
    expect(inWorker.stdout.length).toBe(0);
    // No KMS call was made (the main thread never needed the SDK), and no worker was started for it.
    expect(sdkModules(inWorker.threads.get(0))).toEqual([]);
    expect(inWorker.threads.has(1)).toBe(false);
  }, 60_000);
});

describe('what crosses between the threads', () => {
  test('byte arrays are exact copies, transferred: a view does not carry its whole buffer, the copy leaves', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(16), fc.nat(16), (bytes, before, after) => {
      // GIVEN a view into a larger buffer holding other bytes
      const backing = new Uint8Array(before + bytes.length + after).fill(0xee);
      backing.set(bytes, before);
      const view = backing.subarray(before, before + bytes.length);
      // WHEN
      const { message, transfer } = forThread({ Plaintext: view, KeyId: 'k', skipped: undefined, fn: () => 1 });
      // THEN
      const copy = message.Plaintext as Uint8Array;
      expect(copy.buffer.byteLength).toBe(bytes.length);
      expect([...copy]).toEqual([...bytes]);
      expect(transfer).toEqual([copy.buffer]);
      expect(Object.keys(message)).toEqual(['Plaintext', 'KeyId']);
      // Posting with the transfer list detaches the copy here: no second copy of a data key stays behind.
      const { port1, port2 } = new MessageChannel();
      port1.postMessage(message, transfer);
      port1.close();
      port2.close();
      expect(copy.byteLength).toBe(0);
    }));
  });
});
