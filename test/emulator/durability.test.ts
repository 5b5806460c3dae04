import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ReplicateKeyCommand,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor } from '../../src/emulator';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0'];
const ENV = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };
const ROUNDS = 4;

function start(dataDir: string): Promise<{ child: ChildProcess; kms: KMSClient; us: KMSClient }> {
  const child = spawn(process.execPath, [...CLI, '--data-dir', dataDir], { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', line => {
      const endpoint = /^listening on (\S+)$/.exec(line)?.[1];
      if (!endpoint) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ child, kms: kmsClientFor({ endpoint }, { region: 'eu-west-1' }), us: kmsClientFor({ endpoint }, { region: 'us-east-1' }) });
    });
    child.once('exit', code => reject(new Error(`emulator exited early with ${code}`)));
  });
}

type Region = 'eu-west-1' | 'us-east-1';

/** The primary region of a multi-Region key, after checking that both regions agree (never half-applied). */
async function primaryOf(clients: Record<Region, KMSClient>, mrk: string): Promise<Region> {
  const seen = await Promise.all((['eu-west-1', 'us-east-1'] as const).map(async region => {
    const config = (await clients[region].send(new DescribeKeyCommand({ KeyId: mrk }))).KeyMetadata!.MultiRegionConfiguration!;
    return { region, type: config.MultiRegionKeyType, primary: config.PrimaryKey!.Region as Region };
  }));
  const primary = seen[0].primary;
  expect(seen).toEqual(seen.map(s => ({ region: s.region, type: s.region === primary ? 'PRIMARY' : 'REPLICA', primary })));
  return primary;
}

/**
 * Everything the emulator acknowledged survives kill -9: in each round traffic runs, the process is killed
 * with SIGKILL while requests are in flight, restarted on the same data directory, and every acknowledged key,
 * alias and ciphertext from every round is checked. A multi-Region key's primary moves back and forth
 * (UpdatePrimaryRegion writes two records): after each restart both regions agree, on the acknowledged primary or
 * on the one a request in flight was moving it to.
 */
describe('durability of --data-dir across SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-durability-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test(`acknowledged writes survive ${ROUNDS} crashes mid-traffic`, async () => {
    const acknowledged: Array<{ keyId: string; alias: string; ciphertext: Uint8Array; plaintext: string }> = [];
    let mrk = '';
    let primary: Region = 'eu-west-1';
    let inFlight: Region | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, kms, us } = await start(dataDir);
      const clients = { 'eu-west-1': kms, 'us-east-1': us };
      if (round === 0) {
        mrk = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
        await kms.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
      } else {
        const actual = await primaryOf(clients, mrk);
        expect([primary, inFlight]).toContain(actual);
        primary = actual;
        inFlight = undefined;
      }
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
            inFlight = primary === 'eu-west-1' ? 'us-east-1' : 'eu-west-1';
            await clients[primary].send(new UpdatePrimaryRegionCommand({ KeyId: mrk, PrimaryRegion: inFlight }));
            primary = inFlight;
            inFlight = undefined;
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
      us.destroy();
      await new Promise(r => child.once('exit', r));
    }

    const { child, kms, us } = await start(dataDir);
    try {
      expect([primary, inFlight]).toContain(await primaryOf({ 'eu-west-1': kms, 'us-east-1': us }, mrk));
      expect(acknowledged.length).toBeGreaterThan(ROUNDS);
      for (const item of acknowledged) {
        expect((await kms.send(new DescribeKeyCommand({ KeyId: item.alias }))).KeyMetadata!.KeyId).toBe(item.keyId);
        const out = await kms.send(new DecryptCommand({ CiphertextBlob: item.ciphertext }));
        expect(Buffer.from(out.Plaintext!).toString()).toBe(item.plaintext);
      }
    } finally {
      kms.destroy();
      us.destroy();
      child.kill('SIGTERM');
    }
  });
});
