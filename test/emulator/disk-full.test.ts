import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListAliasesCommand,
  ListKeysCommand, ReplicateKeyCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { CliEmulator, killHard, startCliEmulator } from './cli-emulator';
import { errorOf } from './support';
import { kmsClientFor } from '../../src/emulator';

/** The small file system: a 256 KiB tmpfs when the tests run as root, else a file-size limit on the process. */
const TMPFS_BYTES = 256 * 1024;
/** `ulimit -f` blocks (512 or 1024 bytes, by shell): a journal of a few dozen keys. */
const FILE_LIMIT_BLOCKS = 64;
/** Requests per phase, at most: the disk fills long before (a test that never sees a failed write fails). */
const MAX_REQUESTS = 1500;
const REGIONS = ['eu-west-1', 'us-east-1'] as const;

interface SmallDisk {
  readonly kind: 'tmpfs' | 'file-size limit';
  readonly dataDir: string;
  start(): Promise<CliEmulator>;
  /** Leaves about `bytes` free (tmpfs only). */
  fill(bytes: number): void;
  free(): void;
  /** Kills what it started and removes the file system. */
  dispose(): Promise<void>;
}

function smallDisk(): SmallDisk {
  const base = mkdtempSync(join(tmpdir(), 'guarded-keys-disk-full-'));
  const dataDir = join(base, 'data');
  const filler = join(base, 'filler');
  const started: CliEmulator[] = [];
  let mounted = false;
  if (process.getuid?.() === 0 && process.env.GUARDED_KEYS_TEST_SMALL_DISK !== 'rlimit') {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', base], { stdio: 'ignore' });
      mounted = true;
    } catch { /* no mount here: fall back to the file-size limit */ }
  }
  return {
    kind: mounted ? 'tmpfs' : 'file-size limit',
    dataDir,
    start: async () => {
      const emulator = await startCliEmulator(['--data-dir', dataDir], mounted ? {} : { fileSizeLimitBlocks: FILE_LIMIT_BLOCKS });
      started.push(emulator);
      return emulator;
    },
    fill: bytes => {
      rmSync(filler, { force: true });
      const { bavail, bsize } = statfsSync(base);
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - bytes)));
    },
    free: () => rmSync(filler, { force: true }),
    dispose: async () => {
      await Promise.all(started.filter(e => e.child.exitCode === null && e.child.signalCode === null).map(killHard));
      if (mounted) execFileSync('umount', ['--lazy', base]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** What the emulator acknowledged: the test's model of its state. */
interface Model {
  readonly mrk: string;
  primary: (typeof REGIONS)[number];
  readonly keys: string[];
  readonly aliases: Map<string, string>;
  readonly sealed: Array<{ blob: Uint8Array; plaintext: string }>;
}

class Traffic {
  public readonly failed = { createKey: 0, createAlias: 0, updatePrimaryRegion: 0 };
  private readonly clients: Record<string, KMSClient>;
  private n = 0;

  constructor(endpoint: string, private readonly model: Model) {
    this.clients = Object.fromEntries(REGIONS.map(r => [r, kmsClientFor({ endpoint }, { region: r })]));
  }

  /** One round of writes (each acknowledged or failed as a whole) and a read that must work even on a full disk. */
  public async round(): Promise<void> {
    const eu = this.clients['eu-west-1'];
    const i = this.n++;
    await this.write('createKey', async () => {
      const { KeyMetadata } = await eu.send(new CreateKeyCommand({ Description: `disk full ${i} `.padEnd(300, '.') }));
      this.model.keys.push(KeyMetadata!.KeyId!);
    });
    const target = this.model.keys[this.model.keys.length - 1];
    await this.write('createAlias', async () => {
      await eu.send(new CreateAliasCommand({ AliasName: `alias/disk-full-${i}`, TargetKeyId: target }));
      this.model.aliases.set(`alias/disk-full-${i}`, target);
    });
    const other = REGIONS.find(r => r !== this.model.primary)!;
    await this.write('updatePrimaryRegion', async () => {
      await this.clients[this.model.primary].send(new UpdatePrimaryRegionCommand({ KeyId: this.model.mrk, PrimaryRegion: other }));
      this.model.primary = other;
    });
    const plaintext = `sealed ${i}`;
    const { CiphertextBlob } = await eu.send(new EncryptCommand({ KeyId: this.model.mrk, Plaintext: Buffer.from(plaintext) }));
    this.model.sealed.push({ blob: CiphertextBlob!, plaintext });
  }

  public get failures(): number {
    return Object.values(this.failed).reduce((a, b) => a + b, 0);
  }

  /** Checks, through the API, that the emulator holds exactly the acknowledged state. */
  public async expectAcknowledgedState(): Promise<void> {
    await expectState(this.clients, this.model);
  }

  public destroy(): void {
    Object.values(this.clients).forEach(c => c.destroy());
  }

  private async write(name: keyof Traffic['failed'], request: () => Promise<void>): Promise<void> {
    try {
      await request();
    } catch (err) {
      // THEN a write that could not be made durable fails as KMS fails, and changed nothing
      expect(err).toMatchObject({ name: 'KMSInternalException', $metadata: { httpStatusCode: 500 } });
      this.failed[name]++;
      await this.expectAcknowledgedState();
      expect((err as Error).message).toMatch(/could not write it to its data directory .*nothing was changed/);
    }
  }
}

async function expectState(clients: Record<string, KMSClient>, model: Model): Promise<void> {
  const eu = clients['eu-west-1'];
  const listed = (await eu.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map(k => k.KeyId).sort();
  expect(listed).toEqual([...model.keys, model.mrk].sort());
  // AWS managed aliases (alias/aws/*) are listed by every account and region: only the test's own are compared.
  const aliases = (await eu.send(new ListAliasesCommand({ Limit: 1000 }))).Aliases!.filter(a => !a.AliasName!.startsWith('alias/aws/'));
  expect(new Map(aliases.map(a => [a.AliasName, a.TargetKeyId]))).toEqual(model.aliases);
  // Not half-applied: both regions agree on which one is the primary.
  for (const region of REGIONS) {
    const config = (await clients[region].send(new DescribeKeyCommand({ KeyId: model.mrk }))).KeyMetadata!.MultiRegionConfiguration!;
    expect({ region, type: config.MultiRegionKeyType, primary: config.PrimaryKey!.Region })
      .toEqual({ region, type: region === model.primary ? 'PRIMARY' : 'REPLICA', primary: model.primary });
  }
}

/**
 * A full disk: a write that cannot be made durable fails the request (KMSInternalException, 500) and leaves the
 * emulator as it was, a request that writes several records (UpdatePrimaryRegion) is never half-applied, reads
 * keep working, writes work again once there is room, and after kill -9 and a restart (on the still full disk,
 * where the start-up compaction cannot be written) the emulator holds exactly what it acknowledged.
 */
describe('a data directory on a disk that fills', () => {
  const disk = smallDisk();
  afterAll(() => disk.dispose());

  test('failed writes fail the request and change nothing; acknowledged ones survive kill -9', async () => {
    // GIVEN a multi-Region key with a replica, on a nearly full disk
    let emulator = await disk.start();
    let setup = kmsClientFor(emulator, { region: 'eu-west-1' });
    const mrk = (await setup.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await setup.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
    setup.destroy();
    const model: Model = { mrk, primary: 'eu-west-1', keys: [], aliases: new Map(), sealed: [] };
    if (disk.kind === 'tmpfs') disk.fill(24 * 1024);

    // WHEN traffic runs until every kind of write has failed more than once
    let traffic = new Traffic(emulator.endpoint, model);
    for (let i = 0; i < MAX_REQUESTS && (traffic.failed.createKey < 2 || traffic.failed.updatePrimaryRegion < 2); i++) await traffic.round();
    expect(traffic.failed.createKey).toBeGreaterThanOrEqual(2);
    expect(traffic.failed.updatePrimaryRegion).toBeGreaterThanOrEqual(2);
    expect(model.keys.length).toBeGreaterThan(0);

    if (disk.kind === 'tmpfs') {
      // AND once there is room again, writes are acknowledged again (the failed ones left no fragment behind)
      disk.free();
      const before = traffic.failures;
      for (let i = 0; i < 3; i++) await traffic.round();
      expect(traffic.failures).toBe(before);
      disk.fill(0);
      await traffic.round();
    }
    traffic.destroy();

    // AND the emulator is killed and restarted on the same (full) disk
    await killHard(emulator);
    emulator = await disk.start();
    traffic = new Traffic(emulator.endpoint, model);
    try {
      // THEN it holds exactly what it acknowledged, and every acknowledged ciphertext decrypts
      await traffic.expectAcknowledgedState();
      const eu = kmsClientFor(emulator, { region: 'eu-west-1' });
      for (const { blob, plaintext } of model.sealed) {
        expect(Buffer.from((await eu.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(plaintext);
      }
      if (disk.kind === 'tmpfs') {
        // AND on the full disk, a write still fails cleanly
        const error = await errorOf(eu.send(new CreateKeyCommand({ Description: 'x'.repeat(4000) })));
        expect(error.name).toBe('KMSInternalException');
        await traffic.expectAcknowledgedState();
      }
      eu.destroy();
    } finally {
      traffic.destroy();
      await killHard(emulator);
    }
  });
});
