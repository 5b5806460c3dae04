import { execFile } from 'child_process';
import { createHash } from 'crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand, EncryptCommand,
  KMSClient, ReplicateKeyCommand, RevokeGrantCommand, TagResourceCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { encodeLine, JOURNAL_FILE, JournalError } from '../../src/emulator/journal';
import { Store } from '../../src/emulator/store';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'guarded-keys-journal-recovery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let dirs = 0;
/** A fresh data directory holding `journal` as its journal. */
function dataDirWith(journal: Uint8Array): string {
  const dir = join(work, `d${dirs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, JOURNAL_FILE), journal);
  return dir;
}

/** Everything a store holds, as plain data. */
function stateOf(store: Store): unknown {
  return { keys: Object.fromEntries(store.keys), aliases: Object.fromEntries(store.aliases), grants: Object.fromEntries(store.grants) };
}

/** Opens a store on a journal: its state, or the refusal (which must leave the file exactly as it was). */
function open(journal: Uint8Array): { state?: unknown; refusal?: JournalError } {
  const dir = dataDirWith(journal);
  try {
    const store = new Store(dir);
    const state = stateOf(store);
    store.close();
    return { state };
  } catch (err) {
    if (!(err instanceof JournalError)) throw err; // anything else is a crash: the property fails
    expect(Buffer.compare(readFileSync(join(dir, JOURNAL_FILE)), journal)).toBe(0);
    expect(existsSync(join(dir, `${JOURNAL_FILE}.tmp`))).toBe(false);
    return { refusal: err };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1-based line of byte `offset`. */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  bytes.forEach((b, i) => { if (b === 0x0a && i < bytes.length - 1) starts.push(i + 1); });
  return starts;
}

function checksummed(payload: string): Buffer {
  const digest = createHash('sha256').update(payload).digest('hex').slice(0, 32);
  return Buffer.from(`${digest} ${payload}\n`);
}

/**
 * A journal written by real traffic: keys of several kinds, aliases, a grant, a multi-Region key whose primary
 * moved (one line with two records), deletions. Its state, as a store replays it, is the acknowledged state.
 */
let journal: Buffer;
let acknowledged: unknown;
let nextLine: Buffer;

beforeAll(async () => {
  const dir = join(work, 'source');
  const emulator = await startEmulator({ dataDir: dir });
  const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
  try {
    const keys: string[] = [];
    for (const KeySpec of ['SYMMETRIC_DEFAULT', 'ECC_NIST_P256', 'HMAC_256'] as const) {
      const KeyUsage = KeySpec === 'HMAC_256' ? 'GENERATE_VERIFY_MAC' : KeySpec === 'ECC_NIST_P256' ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT';
      keys.push((await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage, Description: `a ${KeySpec} key ✓` }))).KeyMetadata!.KeyId!);
    }
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: keys[0] }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/gone', TargetKeyId: keys[0] }));
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/gone' }));
    await kms.send(new TagResourceCommand({ KeyId: keys[0], Tags: [{ TagKey: 'team', TagValue: 'blue' }] }));
    const grantee = 'arn:aws:iam::000000000000:role/Reader';
    await kms.send(new CreateGrantCommand({ KeyId: keys[0], GranteePrincipal: grantee, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { a: 'b' } } }));
    const revoked = await kms.send(new CreateGrantCommand({ KeyId: keys[0], GranteePrincipal: grantee, Operations: ['Encrypt'] }));
    await kms.send(new RevokeGrantCommand({ KeyId: keys[0], GrantId: revoked.GrantId }));
    const mrk = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await kms.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
    await kms.send(new UpdatePrimaryRegionCommand({ KeyId: mrk, PrimaryRegion: 'us-east-1' }));
  } finally {
    kms.destroy();
    await emulator.stop();
  }
  journal = readFileSync(join(dir, JOURNAL_FILE));
  const replayed = open(journal);
  expect(replayed.refusal).toBeUndefined();
  acknowledged = replayed.state;
  // A line the emulator could have been writing when it crashed: the next sequence number, real records (the
  // primary moved back: the two records of an UpdatePrimaryRegion).
  const lines = journal.toString('utf8').trimEnd().split('\n');
  const multi = lines.map(l => JSON.parse(l.slice(33))).find(b => b.r.length > 1);
  const back = multi.r.map((e: { v: { multiRegionKeyType: string } }) => ({ ...e, v: { ...e.v, multiRegionKeyType: e.v.multiRegionKeyType === 'PRIMARY' ? 'REPLICA' : 'PRIMARY' } }));
  nextLine = encodeLine(lines.length + 1, back);
});

describe('replaying a journal', () => {
  test('the journal holds one line per acknowledged write, each request whole (UpdatePrimaryRegion: one line, two records)', () => {
    const lines = journal.toString('utf8').trimEnd().split('\n');
    // 3 keys; 2 aliases created, 1 deleted; a tag; 2 grants, 1 revoked; a multi-Region key, its replica, its primary moved
    expect(lines.map(l => JSON.parse(l.slice(33)).r.map((e: { k: string }) => e.k).join('+')))
      .toEqual(['key', 'key', 'key', 'alias', 'alias', 'del-alias', 'key', 'grant', 'grant', 'del-grant', 'key', 'key', 'key+key']);
    const state = acknowledged as { keys: object; aliases: object; grants: object };
    expect([Object.keys(state.keys).length, Object.keys(state.aliases), Object.keys(state.grants).length])
      .toEqual([5, ['000000000000/eu-west-1/alias/kept'], 1]);
  });

  test('a torn tail (a write cut anywhere by a crash) is dropped: exactly the acknowledged state, nothing half-applied', () => {
    const cuts = [0, 1, 32, 33, 34, nextLine.length - 2, nextLine.length - 1];
    for (let i = 1; i < 16; i++) cuts.push(Math.floor((nextLine.length * i) / 16));
    for (const cut of cuts) {
      const { state, refusal } = open(Buffer.concat([journal, nextLine.subarray(0, cut)]));
      expect(refusal).toBeUndefined();
      expect(state).toEqual(acknowledged);
    }
    // The whole line, newline included, was acknowledged: it is applied.
    expect(open(Buffer.concat([journal, nextLine])).state).not.toEqual(acknowledged);
  });

  test.each([
    ['a bare number', '5\n'],
    ['a key record of null (start-up crashed on it)', '{"k":"key","v":null}\n'],
    ['an unknown record kind', '{"k":"key-v2","v":{}}\n'],
    ['null', 'null\n'],
    ['an empty line', '\n'],
  ])('a journal with %s before the checksummed lines is refused, naming the line', (_, line) => {
    const { refusal } = open(Buffer.concat([Buffer.from(line), journal]));
    expect(refusal?.message).toMatch(/journal .* cannot be replayed: line 1: /);
  });

  test.each([
    ['an unknown record kind', (r: object[]) => JSON.stringify({ n: 3, r: [...r, { k: 'mystery', id: 'x' }] }), /record 2\.k is not a known record kind .* Received: "mystery"/],
    ['a key of null', () => JSON.stringify({ n: 3, r: [{ k: 'key', v: null }] }), /record 1\.v must be an object. Received: null/],
    ['a field this version does not know', (r: Array<{ v: object }>) => JSON.stringify({ n: 3, r: [{ ...r[0], v: { ...r[0].v, futureField: 1 } }] }), /record 1\.v\.futureField is not a known field/],
    ['a wrong type', (r: Array<{ v: object }>) => JSON.stringify({ n: 3, r: [{ ...r[0], v: { ...r[0].v, materials: 'none' } }] }), /record 1\.v\.materials must be an array/],
    ['a bare number', () => '7', /line 3: the line is not a JSON object/],
    ['a wrong sequence number', (r: object[]) => JSON.stringify({ n: 4, r }), /line 3: the sequence number is 4 where 3 was expected/],
  ])('a checksummed line with %s is refused, naming the line, and the journal is not rewritten', (_, payload, message) => {
    const lines = journal.toString('utf8').split('\n');
    const third = JSON.parse(lines[2].slice(33)).r;
    const bad = checksummed((payload as (r: unknown[]) => string)(third));
    const { refusal } = open(Buffer.concat([Buffer.from(lines.slice(0, 2).join('\n') + '\n'), bad, Buffer.from(lines.slice(3).join('\n'))]));
    expect(refusal?.message).toMatch(/line 3: /);
    expect(refusal?.message).toMatch(message);
  });

  test('a journal of the first format (bare entries, no checksum) is still read, and compacted to the new one', () => {
    const store0 = new Store(dataDirWith(journal));
    const legacy = [...store0.keys.values()].map(v => JSON.stringify({ k: 'key', v })).join('\n') + '\n';
    store0.close();
    const dir = dataDirWith(Buffer.from(legacy));
    const store = new Store(dir);
    expect(Object.fromEntries(store.keys)).toEqual((acknowledged as { keys: object }).keys);
    store.close();
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toMatch(/^[0-9a-f]{32} \{"n":1,/);
  });
});

type Corruption =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'drop-line' | 'repeat-line' | 'swap-lines'; line: number }
  | { kind: 'foreign-line'; line: number; text: string };

const FOREIGN = ['5', 'null', '[]', '{}', '{"k":"key","v":null}', '{"k":"alias","id":"x"}', '{"k":"mystery","v":{}}', 'x', '"key"'];

/** Applies a corruption; returns the new bytes and the line a refusal must name. */
function corrupt(bytes: Buffer, c: Corruption): { bytes: Buffer; line: number } {
  const starts = lineStarts(bytes);
  const lines = starts.map((s, i) => bytes.subarray(s, i + 1 < starts.length ? starts[i + 1] : bytes.length));
  switch (c.kind) {
    case 'flip': return { bytes: Buffer.concat([bytes.subarray(0, c.at), Buffer.from([c.byte]), bytes.subarray(c.at + 1)]), line: lineOf(bytes, c.at) };
    case 'delete': return { bytes: Buffer.concat([bytes.subarray(0, c.at), bytes.subarray(c.at + 1)]), line: lineOf(bytes, c.at) };
    case 'insert': return { bytes: Buffer.concat([bytes.subarray(0, c.at), Buffer.from([c.byte]), bytes.subarray(c.at)]), line: lineOf(bytes, c.at) };
    case 'drop-line': return { bytes: Buffer.concat(lines.filter((_, i) => i !== c.line - 1)), line: c.line };
    case 'repeat-line': return { bytes: Buffer.concat([...lines.slice(0, c.line), lines[c.line - 1], ...lines.slice(c.line)]), line: c.line + 1 };
    case 'swap-lines': return { bytes: Buffer.concat([...lines.slice(0, c.line - 1), lines[c.line], lines[c.line - 1], ...lines.slice(c.line + 1)]), line: c.line };
    case 'foreign-line': return { bytes: Buffer.concat([...lines.slice(0, c.line - 1), Buffer.from(`${c.text}\n`), ...lines.slice(c.line - 1)]), line: c.line };
  }
}

/**
 * Fuzz: a journal damaged anywhere before its last byte (a byte flipped, deleted or inserted; a line dropped,
 * repeated, swapped or foreign) is refused with the number of the damaged line, never replayed into another state,
 * never crashes the start, never rewritten; a journal whose only damage is a torn tail starts with exactly the
 * acknowledged state. (Losing whole trailing lines is the one damage no format can see; fsync prevents it.)
 */
describe('a corrupted journal', () => {
  test('damage before the last byte: refused, naming the line, the file untouched', () => {
    const n = lineStarts(journal).length;
    const at = fc.integer({ min: 0, max: journal.length - 2 });
    const byte = fc.integer({ min: 0, max: 255 });
    const corruption: fc.Arbitrary<Corruption> = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at, byte }).filter(c => journal[c.at] !== c.byte),
      fc.record({ kind: fc.constant('delete' as const), at }),
      fc.record({ kind: fc.constant('insert' as const), at, byte }),
      fc.record({ kind: fc.constantFrom('drop-line' as const, 'swap-lines' as const), line: fc.integer({ min: 1, max: n - 1 }) }),
      fc.record({ kind: fc.constant('repeat-line' as const), line: fc.integer({ min: 1, max: n }) }),
      fc.record({ kind: fc.constant('foreign-line' as const), line: fc.integer({ min: 1, max: n }), text: fc.constantFrom(...FOREIGN) }),
    );
    fc.assert(fc.property(corruption, c => {
      const damaged = corrupt(journal, c);
      const { refusal } = open(damaged.bytes);
      expect(refusal?.message).toContain(`: line ${damaged.line}: `);
    }), { numRuns: 400 });
  });

  test('damage only after the last newline (a torn tail, any bytes): exactly the acknowledged state', () => {
    const tail = fc.oneof(
      fc.integer({ min: 0, max: nextLine.length - 1 }).map(cut => nextLine.subarray(0, cut)),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map(b => Buffer.from(b.map(x => (x === 0x0a ? 0 : x)))),
    );
    fc.assert(fc.property(tail, t => {
      expect(open(Buffer.concat([journal, t])).state).toEqual(acknowledged);
    }), { numRuns: 120 });
  });
});

/** Through the API and the CLI: a torn write is never half-applied; a bad journal stops the start with its line. */
describe('restarting on a damaged data directory', () => {
  async function withEmulator(dataDir: string, fn: (e: RunningEmulator, eu: KMSClient, us: KMSClient) => Promise<void>): Promise<void> {
    const emulator = await startEmulator({ dataDir });
    const eu = kmsClientFor(emulator, { region: 'eu-west-1' });
    const us = kmsClientFor(emulator, { region: 'us-east-1' });
    try {
      await fn(emulator, eu, us);
    } finally {
      eu.destroy();
      us.destroy();
      await emulator.stop();
    }
  }

  test('an UpdatePrimaryRegion cut mid-line by a crash is absent after restart, in both regions; everything before it is there', async () => {
    const dataDir = join(work, 'torn');
    let mrk = '';
    let sealed: Uint8Array = new Uint8Array();
    let before = 0;
    await withEmulator(dataDir, async (_, eu) => {
      mrk = (await eu.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
      await eu.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
      sealed = (await eu.send(new EncryptCommand({ KeyId: mrk, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
      before = statSync(join(dataDir, JOURNAL_FILE)).size;
      await eu.send(new UpdatePrimaryRegionCommand({ KeyId: mrk, PrimaryRegion: 'us-east-1' }));
    });
    const full = readFileSync(join(dataDir, JOURNAL_FILE));
    copyFileSync(join(dataDir, JOURNAL_FILE), join(work, 'torn.full'));
    for (const cut of [before + 1, Math.floor((before + full.length) / 2), full.length - 1]) {
      writeFileSync(join(dataDir, JOURNAL_FILE), full);
      truncateSync(join(dataDir, JOURNAL_FILE), cut);
      await withEmulator(dataDir, async (_, eu, us) => {
        for (const client of [eu, us]) {
          const config = (await client.send(new DescribeKeyCommand({ KeyId: mrk }))).KeyMetadata!.MultiRegionConfiguration!;
          expect(config.PrimaryKey!.Region).toBe('eu-west-1');
        }
        expect(Buffer.from((await us.send(new DecryptCommand({ CiphertextBlob: sealed }))).Plaintext!).toString()).toBe('kept');
      });
    }
  });

  test('`guarded-keys emulator` on a journal it cannot replay exits 1 naming the line, and leaves the file as it was', async () => {
    const dataDir = dataDirWith(Buffer.concat([journal, Buffer.from('{"k":"key","v":null}\n')]));
    const cli = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0', '--data-dir', dataDir];
    const env = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };
    await expect(promisify(execFile)(process.execPath, cli, { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(new RegExp(`^guarded-keys: the emulator journal .* cannot be replayed: line ${lineStarts(journal).length + 1}: the line does not start with a checksum`, 'm')),
    });
    expect(Buffer.compare(readFileSync(join(dataDir, JOURNAL_FILE)), Buffer.concat([journal, Buffer.from('{"k":"key","v":null}\n')]))).toBe(0);
    expect(existsSync(join(dataDir, 'admin.json'))).toBe(false);
  });
});
