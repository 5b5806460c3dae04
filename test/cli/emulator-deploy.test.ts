import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import { promisify } from 'util';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { kmsClientFor } from '../../src/emulator';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts')];
const ENV = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };

/**
 * Starts `guarded-keys emulator` and resolves with its endpoint and admin credential, read from its first two
 * stdout lines.
 */
function startCliEmulator(args: string[]): Promise<{ child: ChildProcess; endpoint: string; admin: Record<string, string> }> {
  const child = spawn(process.execPath, [...CLI, 'emulator', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', line => {
      lines.push(line);
      if (lines.length < 2) return;
      const endpoint = /^listening on (http:\/\/[\d.]+:\d+)$/.exec(lines[0])?.[1];
      const admin = /^admin credential: (GUARDED_KEYS_ADMIN_ACCESS_KEY_ID=\S+) (GUARDED_KEYS_ADMIN_SECRET_ACCESS_KEY=\S+)$/.exec(lines[1]);
      if (endpoint && admin && lines.length === 2) resolve({ child, endpoint, admin: Object.fromEntries(admin.slice(1).map(kv => kv.split('=', 2))) });
      else if (lines.length === 2) reject(new Error(`unexpected first lines: ${lines.join(' | ')}`));
    });
    child.once('exit', code => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** Stops a CLI emulator and waits for it to exit (its journal closed). */
function stopCliEmulator(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('guarded-keys emulator and deploy', () => {
  let child: ChildProcess;
  let endpoint: string;
  let admin: Record<string, string>;
  let outdir: string;

  beforeAll(async () => {
    ({ child, endpoint, admin } = await startCliEmulator(['--port', '0']));
    outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-cli-'));
    buildDataPlatformApp(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
  });
  afterAll(() => {
    child.kill('SIGTERM');
    rmSync(outdir, { recursive: true, force: true });
  });

  test('deploy prints keys and principals whose credentials work against the emulator, under the key policies', async () => {
    // GIVEN the admin credential the emulator printed, in the environment deploy reads
    const { stdout } = await promisify(execFile)(process.execPath, [...CLI, 'deploy', '--endpoint', endpoint, outdir], { env: { ...ENV, ...admin } });
    type Printed = { path: string; arn: string; accessKeyId: string; secretAccessKey: string };
    const out = JSON.parse(stdout) as { keys: Printed[]; principals: Printed[]; unmodeled: unknown[] };
    expect(out.keys.map(k => k.path)).toEqual(['CustomerDataKey', 'IngestKey']);
    expect(out.unmodeled.length).toBeGreaterThan(0);
    const app = out.principals.find(p => p.path === 'AppRole')!;
    const key = out.keys.find(k => k.path === 'CustomerDataKey')!.arn;
    const viaS3 = kmsClientFor({ endpoint }, { region: 'eu-west-1', accessKeyId: app.accessKeyId, secretAccessKey: app.secretAccessKey, viaService: 's3' });
    const direct = kmsClientFor({ endpoint }, { region: 'eu-west-1', accessKeyId: app.accessKeyId, secretAccessKey: app.secretAccessKey });
    try {
      const { CiphertextBlob } = await viaS3.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 't' } }));
      await viaS3.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 't' } }));
      await expect(direct.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 't' } }))).rejects.toThrow(/not authorized to perform: kms:Decrypt/);
    } finally {
      viaS3.destroy();
      direct.destroy();
    }
  });

  test('deploy without the admin credential, or signed as a KMS principal, registers nothing', async () => {
    const env: NodeJS.ProcessEnv = { ...ENV };
    delete env.GUARDED_KEYS_ADMIN_ACCESS_KEY_ID;
    delete env.GUARDED_KEYS_ADMIN_SECRET_ACCESS_KEY;
    await expect(promisify(execFile)(process.execPath, [...CLI, 'deploy', '--endpoint', endpoint, outdir], { env }))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("deploy needs the emulator's admin credential") });
    // An account root's credentials (here from --admin-file) are not the admin's (in an emulator without principals,
    // any caller is a root).
    const asRoot = join(outdir, 'root-credential.json');
    writeFileSync(asRoot, JSON.stringify({ accessKeyId: 'AKIAROOT111122223333', secretAccessKey: 'any-secret-at-all' }));
    await expect(promisify(execFile)(process.execPath, [...CLI, 'deploy', '--endpoint', endpoint, '--admin-file', asRoot, outdir], { env }))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/GuardedKeys\.\w+ failed: AccessDeniedException: GuardedKeys\.\w+ needs the emulator's admin credential/) });
  });

  test('deploy runs again against an emulator restarted on its data directory, and changes nothing', async () => {
    // GIVEN an emulator with a data directory, deployed to once
    const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-cli-data-'));
    const deploy = async (url: string) => JSON.parse((await promisify(execFile)(process.execPath, [...CLI, 'deploy', '--endpoint', url, '--admin-file', join(dataDir, 'admin.json'), outdir], { env: ENV })).stdout);
    let running = await startCliEmulator(['--port', '0', '--data-dir', dataDir]);
    try {
      const first = await deploy(running.endpoint);
      // WHEN it restarts on the same directory and the same cdk.out is deployed again
      await stopCliEmulator(running.child);
      running = await startCliEmulator(['--port', '0', '--data-dir', dataDir]);
      const second = await deploy(running.endpoint);
      // THEN the same keys and the same principals, with the same credentials
      expect(second.keys).toEqual(first.keys);
      expect(second.principals).toEqual(first.principals);
      // AND those credentials work against the restarted emulator
      const app = first.principals.find((p: { path: string }) => p.path === 'AppRole');
      const key = first.keys.find((k: { path: string }) => k.path === 'CustomerDataKey').arn;
      const viaS3 = kmsClientFor({ endpoint: running.endpoint }, { region: 'eu-west-1', accessKeyId: app.accessKeyId, secretAccessKey: app.secretAccessKey, viaService: 's3' });
      try {
        await viaS3.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 't' } }));
      } finally {
        viaS3.destroy();
      }
    } finally {
      await stopCliEmulator(running.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('--audit-log writes every KMS request as a CloudTrail-shaped JSON line; --quotas takes a positive scale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guarded-keys-cli-audit-'));
    const log = join(dir, 'audit.jsonl');
    const running = await startCliEmulator(['--port', '0', '--audit-log', log, '--quotas', '1']);
    try {
      const kms = kmsClientFor({ endpoint: running.endpoint }, { region: 'eu-west-1' });
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('not in the log'), EncryptionContext: { app: 'cli' } }));
      kms.destroy();
      const events = readFileSync(log, 'utf8').trim().split('\n').map(line => JSON.parse(line));
      expect(events).toEqual([
        expect.objectContaining({ eventSource: 'kms.amazonaws.com', eventName: 'CreateKey' }),
        expect.objectContaining({ eventName: 'Encrypt', requestParameters: { keyId, encryptionContext: { app: 'cli' } } }),
      ]);
      expect(readFileSync(log, 'utf8')).not.toContain(Buffer.from('not in the log').toString('base64'));
    } finally {
      await stopCliEmulator(running.child);
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(promisify(execFile)(process.execPath, [...CLI, 'emulator', '--quotas', '0'], { env: ENV }))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("option '--quotas <scale>' argument '0' is invalid. must be a positive number. Received: 0") });
  });

  test('a bad port is a usage error naming the option', async () => {
    await expect(promisify(execFile)(process.execPath, [...CLI, 'emulator', '--port', '70000'], { env: ENV }))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("option '--port <port>' argument '70000' is invalid. must be an integer from 0 to 65535") });
  });
});
