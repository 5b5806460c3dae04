import { ChildProcess, execFile, spawn, StdioOptions } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { buildSync } from 'esbuild';
import { EXIT, OPEN_HELP } from '../../src/cli/envelope-commands';
import { SIGNAL_EXIT } from '../../src/cli/exit-codes';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { parseEnvelope } from '../../src/envelope/format';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
/** The CLI as `npx ts-node` runs it from source (about 1.5 s of CPU a start, most of it transpiling). */
const TS_NODE_CLI = ['-r', 'ts-node/register/transpile-only', MAIN];

/** What a finished CLI process left behind. */
interface Ran {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

describe('guarded-keys seal, open, rewrap and inspect', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let keyA: string;
  let keyB: string;
  let env: NodeJS.ProcessEnv;
  /**
   * The same program bundled once by esbuild (dependencies stay external, as in the published package): a start
   * costs about 0.1 s instead of 1.5 s, which keeps a file of some thirty real CLI processes fast.
   */
  let CLI: string[];
  /** Spawned processes still running: a test that fails while one waits for input must not leave it behind. */
  const running = new Set<ChildProcess>();
  const track = <T extends ChildProcess>(child: T): T => {
    running.add(child);
    child.on('close', () => running.delete(child));
    return child;
  };
  const at = (name: string) => join(dir, name);
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [...CLI, ...args], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const exitCode = (args: string[]) => cli(...args).then(() => 0, (err: { code: number }) => err.code);

  /** Runs the CLI with a choice of stdin (default: a pipe that is closed at once) and collects everything. */
  const spawnCli = (args: string[], stdio: StdioOptions = ['pipe', 'pipe', 'pipe'], feed?: (child: ReturnType<typeof spawn>) => void) =>
    new Promise<Ran>((resolve, reject) => {
      const child = track(spawn(process.execPath, [...CLI, ...args], { env, stdio }));
      const out: Buffer[] = [];
      let err = '';
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', code => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
      if (feed) feed(child);
      else child.stdin?.end();
    });

  /** Like `| head -c 10`: takes the first bytes, then closes the pipe while the writer still has most to write. */
  const closedAfterFirstBytes = (args: string[]) => new Promise<Ran>((resolve, reject) => {
    const child = track(spawn(process.execPath, [...CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout: Buffer.alloc(0), stderr: err }));
  });

  beforeAll(async () => {
    emulator = await startEmulator();
    const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/cli-a', TargetKeyId: keyA }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/cli-b', TargetKeyId: keyB }));
    kms.destroy();
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-cli-'));
    CLI = [join(dir, 'guarded-keys.js')];
    buildSync({ entryPoints: [MAIN], outfile: CLI[0], bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'error' });
    env = {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json'),
      NODE_NO_WARNINGS: '1',
      AWS_ENDPOINT_URL_KMS: emulator.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIACLI',
      AWS_SECRET_ACCESS_KEY: 'cli-secret',
    };
    // Several frames (64 KiB each), more than a pipe buffer holds.
    writeFileSync(at('plain.bin'), Buffer.alloc(1_000_000, 7));
    await cli('seal', '--key', keyA, '--context', 'tenant=acme', '--in', at('plain.bin'), '--out', at('sealed.gke'));
  });
  afterAll(async () => {
    running.forEach(child => child.kill());
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  });

  test('seal, inspect, rewrap in place and open round-trip through files', async () => {
    writeFileSync(at('moved.gke'), readFileSync(at('sealed.gke')));
    const [inspected, fromSource, rewrapped] = await Promise.all([
      cli('inspect', '--in', at('sealed.gke')),
      // Once from the TypeScript source too: the bundle is the same program.
      promisify(execFile)(process.execPath, [...TS_NODE_CLI, 'inspect', '--in', at('sealed.gke')], { env, encoding: 'buffer' }),
      cli('rewrap', '--to', keyB, '--in', at('moved.gke'), '--out', at('moved.gke')),
    ]);
    expect(rewrapped.stderr.toString()).toBe('');
    const description = JSON.parse(inspected.stdout.toString());
    expect(description).toEqual(expect.objectContaining({ encryptionContext: { tenant: 'acme' }, wrappedKeys: [expect.objectContaining({ keyId: keyA })] }));
    expect(JSON.parse(fromSource.stdout.toString())).toEqual(description);
    await cli('open', '--expect-context', 'tenant=acme', '--expect-key', keyB, '--in', at('moved.gke'), '--out', at('back.bin'));
    expect(readFileSync(at('back.bin')).equals(readFileSync(at('plain.bin')))).toBe(true);
  });

  test('a rewrap KMS refuses leaves the file as it was, and no temporary file behind', async () => {
    writeFileSync(at('in-place.gke'), readFileSync(at('sealed.gke')));
    expect(await exitCode(['rewrap', '--to', 'alias/nope', '--in', at('in-place.gke'), '--out', at('in-place.gke')])).toBe(EXIT.kms);
    expect(readFileSync(at('in-place.gke')).equals(readFileSync(at('sealed.gke')))).toBe(true);
    expect(readdirSync(dir).filter(name => name.includes('.partial'))).toEqual([]);
  });

  test('an interrupted seal leaves neither the output file nor its partial file', async () => {
    // GIVEN a seal to a file whose input is still arriving (stdin left open)
    let partialSeen = false;
    const ran = await spawnCli(['seal', '--key', keyA, '--out', at('interrupted.gke')], ['pipe', 'pipe', 'pipe'], child => {
      child.stdin!.write(Buffer.alloc(200_000, 1));
      // WHEN it is killed once its partial file exists
      const poll = setInterval(() => {
        if (!readdirSync(dir).some(name => name.startsWith('interrupted.gke.partial-'))) return;
        partialSeen = true;
        clearInterval(poll);
        child.kill('SIGTERM');
      }, 10);
      child.on('close', () => clearInterval(poll));
    });
    // THEN it exits as a shell reports SIGTERM, and removed what it had written
    expect(partialSeen).toBe(true);
    expect(ran.code).toBe(SIGNAL_EXIT.SIGTERM);
    expect(readdirSync(dir).filter(name => name.startsWith('interrupted.gke'))).toEqual([]);
  });

  test('exit codes: 3 for a tampered envelope (and no partial output), 4 for a missing key, 2 for usage', async () => {
    const sealed = readFileSync(at('sealed.gke'));
    sealed[sealed.length - 100] = (sealed[sealed.length - 100] + 1) % 256;
    writeFileSync(at('tampered.gke'), sealed);
    expect(await Promise.all([
      exitCode(['open', '--in', at('tampered.gke'), '--out', at('tampered.out')]),
      exitCode(['seal', '--key', 'alias/nope', '--in', at('plain.bin'), '--out', at('x.gke')]),
      exitCode(['seal', '--in', at('plain.bin')]),
      exitCode(['seal', '--key', keyA, '--context', 'no-equals']),
    ])).toEqual([EXIT.integrity, EXIT.kms, EXIT.usage, EXIT.usage]);
    expect(existsSync(at('tampered.out'))).toBe(false);
  });

  describe('what reaches stdout', () => {
    // Started together (each is a separate process), awaited by the tests below.
    let truncated: Promise<Ran>;
    let streamed: Promise<Ran>;
    let overLimit: Promise<Ran>;
    let openPipe: Promise<Ran>;
    let sealPipe: Promise<Ran>;
    beforeAll(() => {
      // Cut in the middle of the body: the first frames verify, the envelope as a whole does not.
      writeFileSync(at('truncated.gke'), readFileSync(at('sealed.gke')).subarray(0, 600_000));
      truncated = spawnCli(['open', '--in', at('truncated.gke')]);
      streamed = spawnCli(['open', '--stream', '--in', at('truncated.gke')]);
      overLimit = spawnCli(['open', '--max-buffer', '512K', '--in', at('sealed.gke')]);
      openPipe = closedAfterFirstBytes(['open', '--in', at('sealed.gke')]);
      sealPipe = closedAfterFirstBytes(['seal', '--key', keyA, '--in', at('plain.bin')]);
    });

    test('open writes nothing at all when the envelope does not verify to its end', async () => {
      // WHEN the envelope is truncated after several good frames
      const ran = await truncated;
      // THEN nothing reaches stdout, and the exit code says integrity
      expect(ran.code).toBe(EXIT.integrity);
      expect(ran.stdout.length).toBe(0);
    });

    test('open --stream writes the frames that verified, then exits 3, as its help says', async () => {
      const ran = await streamed;
      expect(ran.code).toBe(EXIT.integrity);
      expect(ran.stdout.length).toBeGreaterThan(0);
      expect(ran.stdout.length % (64 * 1024)).toBe(0);
      expect(ran.stdout.equals(readFileSync(at('plain.bin')).subarray(0, ran.stdout.length))).toBe(true);
      expect(OPEN_HELP).toMatch(/--stream[\s\S]*frames already written stay written/);
      expect(OPEN_HELP).toMatch(/on any failure nothing is\s+written/);
    });

    test('a plaintext over --max-buffer is refused with the usage code before anything is written', async () => {
      const ran = await overLimit;
      expect(ran.code).toBe(EXIT.usage);
      expect(ran.stdout.length).toBe(0);
      expect(ran.stderr).toMatch(/exceeds --max-buffer .* nothing was written/);
    });

    test('a reader closing stdout early (| head -c 10) ends open and seal quietly with exit 141', async () => {
      for (const ran of [await openPipe, await sealPipe]) {
        expect(ran.stderr).toBe('');
        expect(ran.code).toBe(EXIT.brokenPipe);
      }
    });
  });

  describe('inspect and rewrap read only the preamble', () => {
    test('inspect describes a 3 GiB envelope (a sparse file) from its first bytes', async () => {
      const sealed = readFileSync(at('sealed.gke'));
      writeFileSync(at('huge.gke'), sealed);
      truncateSync(at('huge.gke'), 3 * 1024 ** 3);
      try {
        const ran = await spawnCli(['inspect', '--in', at('huge.gke')]);
        expect(ran.stderr).toBe('');
        expect(ran.code).toBe(EXIT.ok);
        const { bodyOffset } = parseEnvelope(sealed);
        expect(JSON.parse(ran.stdout.toString())).toEqual(expect.objectContaining({ encryptionContext: { tenant: 'acme' }, bodyBytes: 3 * 1024 ** 3 - bodyOffset }));
      } finally {
        rmSync(at('huge.gke'));
      }
    });

    test('rewrap writes the new preamble and body before its input has ended', async () => {
      const sealed = readFileSync(at('sealed.gke'));
      const { bodyOffset } = parseEnvelope(sealed);
      const firstPart = bodyOffset + 100_000;
      // GIVEN a stdin that delivers the preamble and some body, then waits for output before sending the rest
      // (a rewrap that read its input to the end first would wait forever: the test then fails on its timeout)
      const ran = await spawnCli(['rewrap', '--to', 'alias/cli-b'], ['pipe', 'pipe', 'pipe'], child => {
        child.stdin!.write(sealed.subarray(0, firstPart));
        child.stdout!.once('data', () => child.stdin!.end(sealed.subarray(firstPart)));
      });
      // THEN it finished (which it could only do by writing while stdin was open), moved to B, body unchanged
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(EXIT.ok);
      const moved = parseEnvelope(ran.stdout);
      expect(moved.wrappedKeys.map(w => w.keyId)).toEqual([keyB]);
      expect(Buffer.from(moved.headerBytes).equals(sealed.subarray(0, moved.headerBytes.length))).toBe(true);
      expect(ran.stdout.subarray(moved.bodyOffset).equals(sealed.subarray(bodyOffset))).toBe(true);
    });
  });

  test('--expect-key accepts the alias (or key id) the value was sealed with, and refuses the alias of another key', async () => {
    const aliasArnOfB = `${keyA.split(':key/')[0]}:alias/cli-b`;
    const [right, byId, wrong] = await Promise.all([
      spawnCli(['open', '--expect-key', 'alias/cli-a', '--in', at('sealed.gke')]),
      spawnCli(['open', '--expect-key', keyA.split(':key/')[1], '--in', at('sealed.gke')]),
      spawnCli(['open', '--expect-key', aliasArnOfB, '--in', at('sealed.gke')]),
    ]);
    for (const ran of [right, byId]) {
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(EXIT.ok);
      expect(ran.stdout.equals(readFileSync(at('plain.bin')))).toBe(true);
    }
    expect(wrong.code).toBe(EXIT.integrity);
    expect(wrong.stderr).toMatch(/expectations/);
  });

  test('a tampered context is an integrity failure even when another wrapped key is refused by KMS', async () => {
    // GIVEN an envelope wrapped under A then C, and C disabled since
    const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    const keyC = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await cli('seal', '--key', keyA, '--key', keyC, '--context', 'tenant=acme', '--in', at('plain.bin'), '--out', at('two-keys.gke'));
    await kms.send(new DisableKeyCommand({ KeyId: keyC }));
    kms.destroy();
    // WHEN one byte of the context value changes (acme -> acmf)
    const sealed = readFileSync(at('two-keys.gke'));
    sealed[sealed.indexOf('acme') + 3] = 'f'.charCodeAt(0);
    writeFileSync(at('two-keys-tampered.gke'), sealed);
    // THEN KMS calls A's ciphertext invalid under that context and refuses disabled C; the CLI says integrity
    const ran = await spawnCli(['open', '--in', at('two-keys-tampered.gke')]);
    expect(ran.stderr).toMatch(/integrity/);
    expect(ran.code).toBe(EXIT.integrity);
  });

  test('an empty input is refused with the usage code, without output, unless --allow-empty', async () => {
    writeFileSync(at('empty.bin'), '');
    const [closedStdin, emptyFile, allowed] = await Promise.all([
      spawnCli(['seal', '--key', keyA], ['ignore', 'pipe', 'pipe']), // < /dev/null
      spawnCli(['seal', '--key', keyA, '--in', at('empty.bin'), '--out', at('empty.gke')]),
      spawnCli(['seal', '--allow-empty', '--key', keyA], ['ignore', 'pipe', 'pipe']),
    ]);
    expect(closedStdin.code).toBe(EXIT.usage);
    expect(closedStdin.stdout.length).toBe(0);
    expect(closedStdin.stderr).toMatch(/--allow-empty/);
    expect(emptyFile.code).toBe(EXIT.usage);
    expect(existsSync(at('empty.gke'))).toBe(false);
    expect(allowed.code).toBe(EXIT.ok);
    expect(parseEnvelope(allowed.stdout).wrappedKeys.map(w => w.keyId)).toEqual([keyA]);
  });
});
