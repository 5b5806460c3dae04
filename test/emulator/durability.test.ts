import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { kmsClientFor } from '../../src/emulator';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0'];
const ENV = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };
const ROUNDS = 4;

function start(dataDir: string): Promise<{ child: ChildProcess; kms: KMSClient }> {
  const child = spawn(process.execPath, [...CLI, '--data-dir', dataDir], { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => {
      const endpoint = /^listening on (\S+)$/.exec(line)?.[1];
      if (!endpoint) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ child, kms: kmsClientFor({ endpoint }, { region: 'eu-west-1' }) });
    });
    child.once('exit', code => reject(new Error(`emulator exited early with ${code}`)));
  });
}

/**
 * Everything the emulator acknowledged survives kill -9: in each round traffic runs, the process is killed
 * with SIGKILL while requests are in flight, restarted on the same data directory, and every acknowledged key,
 * alias and ciphertext from every round is checked.
 */
describe('durability of --data-dir across SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-durability-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test(`acknowledged writes survive ${ROUNDS} crashes mid-traffic`, async () => {
    const acknowledged: Array<{ keyId: string; alias: string; ciphertext: Uint8Array; plaintext: string }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { child, kms } = await start(dataDir);
      // Traffic: writes whose acknowledgement is recorded; some will be cut off by the kill.
      let stop = false;
      const traffic = (async () => {
        for (let i = 0; !stop && i < 200; i++) {
          try {
            const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `r${round}-${i}` }));
            const alias = `alias/r${round}-${i}`;
            await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId }));
            const plaintext = `round ${round} item ${i}`;
            const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from(plaintext) }));
            acknowledged.push({ keyId: KeyMetadata!.KeyId!, alias, ciphertext: CiphertextBlob!, plaintext });
          } catch {
            return; // the process was killed under this request
          }
        }
      })();
      await new Promise(r => setTimeout(r, 150 + round * 50));
      child.kill('SIGKILL');
      stop = true;
      await traffic;
      kms.destroy();
      await new Promise(r => child.once('exit', r));
    }

    const { child, kms } = await start(dataDir);
    try {
      expect(acknowledged.length).toBeGreaterThan(ROUNDS);
      for (const item of acknowledged) {
        expect((await kms.send(new DescribeKeyCommand({ KeyId: item.alias }))).KeyMetadata!.KeyId).toBe(item.keyId);
        const out = await kms.send(new DecryptCommand({ CiphertextBlob: item.ciphertext }));
        expect(Buffer.from(out.Plaintext!).toString()).toBe(item.plaintext);
      }
    } finally {
      kms.destroy();
      child.kill('SIGTERM');
    }
  });
});
