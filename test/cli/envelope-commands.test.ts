import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts')];

describe('guarded-keys seal, open, rewrap and inspect', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let keyA: string;
  let keyB: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [...CLI, ...args], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const exitCode = (args: string[]) => cli(...args).then(() => 0, (err: { code: number }) => err.code);

  beforeAll(async () => {
    emulator = await startEmulator();
    const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    kms.destroy();
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-cli-'));
    env = {
      ...process.env,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json'),
      AWS_ENDPOINT_URL_KMS: emulator.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIACLI',
      AWS_SECRET_ACCESS_KEY: 'cli-secret',
    };
    writeFileSync(join(dir, 'plain.bin'), Buffer.alloc(200_000, 7));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  });

  test('seal, inspect, rewrap and open round-trip through files', async () => {
    await cli('seal', '--key', keyA, '--context', 'tenant=acme', '--in', join(dir, 'plain.bin'), '--out', join(dir, 'sealed.gke'));
    const description = JSON.parse((await cli('inspect', '--in', join(dir, 'sealed.gke'))).stdout.toString());
    expect(description).toEqual(expect.objectContaining({ encryptionContext: { tenant: 'acme' }, wrappedKeys: [expect.objectContaining({ keyId: keyA })] }));
    await cli('rewrap', '--to', keyB, '--in', join(dir, 'sealed.gke'), '--out', join(dir, 'moved.gke'));
    await cli('open', '--expect-context', 'tenant=acme', '--expect-key', keyB, '--in', join(dir, 'moved.gke'), '--out', join(dir, 'back.bin'));
    expect(readFileSync(join(dir, 'back.bin')).equals(readFileSync(join(dir, 'plain.bin')))).toBe(true);
  });

  test('exit codes: 3 for a tampered envelope (and no partial output), 4 for a missing key, 2 for usage', async () => {
    const sealed = readFileSync(join(dir, 'sealed.gke'));
    sealed[sealed.length - 100] = (sealed[sealed.length - 100] + 1) % 256;
    writeFileSync(join(dir, 'tampered.gke'), sealed);
    expect(await exitCode(['open', '--in', join(dir, 'tampered.gke'), '--out', join(dir, 'tampered.out')])).toBe(3);
    expect(existsSync(join(dir, 'tampered.out'))).toBe(false);
    expect(await exitCode(['seal', '--key', 'alias/nope', '--in', join(dir, 'plain.bin'), '--out', join(dir, 'x.gke')])).toBe(4);
    expect(await exitCode(['seal', '--in', join(dir, 'plain.bin')])).toBe(2);
    expect(await exitCode(['seal', '--key', keyA, '--context', 'no-equals'])).toBe(2);
  });
});
