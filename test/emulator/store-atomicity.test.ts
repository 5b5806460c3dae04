import * as fs from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { KmsError } from '../../src/emulator';
import { JOURNAL_FILE, JournalFs } from '../../src/emulator/journal';
import { AliasRecord, GrantRecordStored, KeyRecord, keySlot } from '../../src/emulator/state';
import { Store } from '../../src/emulator/store';

const work = fs.mkdtempSync(join(tmpdir(), 'guarded-keys-store-atomicity-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function key(id: number, description: string): KeyRecord {
  const keyId = `key-${id}`;
  return {
    keyId,
    account: ACCOUNT,
    region: REGION,
    arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    description,
    state: 'Enabled',
    createdAt: 1,
    policy: '{}',
    tags: {},
    rotation: { enabled: false, periodDays: 365 },
    materials: [{ id: `m${id}`, secret: 'c2VjcmV0', createdAt: 1 }],
    multiRegion: false,
  };
}
const alias = (id: number, target: number): AliasRecord => ({ aliasName: `alias/a${id}`, account: ACCOUNT, region: REGION, targetKeyId: `key-${target}`, createdAt: 1, lastUpdatedAt: 1 });
const grant = (id: number): GrantRecordStored => ({
  grantId: `g${id}`,
  grantToken: `t${id}`,
  keyArn: 'arn',
  keyId: 'key-0',
  account: ACCOUNT,
  region: REGION,
  granteePrincipal: 'p',
  issuingAccount: 'a',
  operations: ['Decrypt'],
  createdAt: 1,
});

/** One change a handler makes; `edit` mutates a stored record in place first, as the operations do. */
type Op =
  | { op: 'put-key'; id: number; text: string } | { op: 'edit-key'; id: number; text: string } | { op: 'del-key'; id: number }
  | { op: 'put-alias'; id: number; target: number } | { op: 'del-alias'; id: number }
  | { op: 'put-grant'; id: number } | { op: 'del-grant'; id: number };

function apply(store: Store, o: Op): void {
  switch (o.op) {
    case 'put-key': return store.putKey(key(o.id, o.text));
    case 'edit-key': {
      const record = store.keys.get(keySlot(ACCOUNT, REGION, `key-${o.id}`));
      if (!record) return;
      record.description = o.text;
      record.tags[`t${o.text.length}`] = o.text;
      return store.putKey(record);
    }
    case 'del-key': {
      const record = store.keys.get(keySlot(ACCOUNT, REGION, `key-${o.id}`));
      return record ? store.deleteKey(record) : undefined;
    }
    case 'put-alias': return store.putAlias(alias(o.id, o.target));
    case 'del-alias': return store.deleteAlias(alias(o.id, 0));
    case 'put-grant': return store.putGrant(grant(o.id));
    case 'del-grant': return store.deleteGrant(`g${o.id}`);
  }
}

/** How a request's journal write fails, if it does. */
interface Fault {
  /** Bytes the file system accepts before it is full (the rest: a short write, then ENOSPC). */
  readonly writeBytes?: number;
  /** fsync fails once (EIO). */
  readonly fsync?: boolean;
  /** The undo (truncate) fails too: the journal becomes unusable until restart. */
  readonly truncate?: boolean;
}

/** Real file operations that fail as told: a disk that fills mid-line, an fsync error, a truncate error. */
class FaultyFs implements JournalFs {
  public fault?: Fault;
  private accepted = 0;
  private fsyncFailed = false;

  public arm(fault: Fault | undefined): void {
    this.fault = fault;
    this.accepted = 0;
    this.fsyncFailed = false;
  }

  public writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const room = this.fault?.writeBytes === undefined ? length : this.fault.writeBytes - this.accepted;
    if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = fs.writeSync(fd, buffer, offset, Math.min(length, room), position);
    this.accepted += n;
    return n;
  }

  public fsyncSync(fd: number): void {
    if (this.fault?.fsync && !this.fsyncFailed) {
      this.fsyncFailed = true;
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    }
    fs.fsyncSync(fd);
  }

  public ftruncateSync(fd: number, length: number): void {
    if (this.fault?.truncate) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
    fs.ftruncateSync(fd, length);
  }
}

function stateOf(store: Store): unknown {
  const state = { keys: Object.fromEntries(store.keys), aliases: Object.fromEntries(store.aliases), grants: Object.fromEntries(store.grants) };
  return JSON.parse(JSON.stringify(state));
}

const id = fc.integer({ min: 0, max: 4 });
const text = fc.string({ maxLength: 40, unit: 'binary' });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('put-key' as const), id, text }),
  fc.record({ op: fc.constant('edit-key' as const), id, text }),
  fc.record({ op: fc.constant('del-key' as const), id }),
  fc.record({ op: fc.constant('put-alias' as const), id, target: id }),
  fc.record({ op: fc.constant('del-alias' as const), id }),
  fc.record({ op: fc.constant('put-grant' as const), id }),
  fc.record({ op: fc.constant('del-grant' as const), id }),
);
const fault: fc.Arbitrary<Fault | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.record({ writeBytes: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ fsync: fc.constant(true) }) },
  { weight: 1, arbitrary: fc.record({ writeBytes: fc.integer({ min: 0, max: 1500 }), truncate: fc.constant(true) }) },
);
const request = fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 4 }), fault });

/**
 * Every request is atomic and acknowledged only when durable: a write that fails (a disk full mid-line, fsync
 * failing, even the undo failing) fails the request with KMSInternalException and leaves memory exactly as before
 * it, in-place edits included; the file keeps only whole acknowledged lines (if the undo fails too, the journal
 * refuses further writes); after a restart the store holds exactly what was acknowledged.
 */
describe('Store.flush under failing writes', () => {
  let runs = 0;
  test('property: a failed request changes nothing, in memory or (after restart) on disk', () => {
    fc.assert(fc.property(fc.array(request, { minLength: 1, maxLength: 12 }), requests => {
      const dir = join(work, `r${runs++}`);
      const io = new FaultyFs();
      const store = new Store(dir, io);
      const path = join(dir, JOURNAL_FILE);
      let acknowledged = stateOf(store);
      let unusable = false;
      try {
        for (const r of requests) {
          const bytesBefore = fs.readFileSync(path);
          io.arm(r.fault);
          r.ops.forEach(o => apply(store, o));
          const attempted = stateOf(store);
          let failed: unknown;
          try {
            store.flush();
          } catch (err) {
            failed = err;
          }
          if (failed === undefined) {
            // A write that went through (it fit in what the disk accepted) is acknowledged; a request that changed
            // nothing needs no write, even once the journal is unusable.
            if (unusable) expect(attempted).toEqual(acknowledged);
            acknowledged = attempted;
            continue;
          }
          expect(failed).toBeInstanceOf(KmsError);
          expect((failed as KmsError).code).toBe('KMSInternalException');
          expect(stateOf(store)).toEqual(acknowledged);
          if (r.fault?.truncate || unusable) {
            // The undo failed: the fragment stays (no newline, so a restart drops it) and the journal takes no more.
            unusable = true;
          } else {
            expect(fs.readFileSync(path).equals(bytesBefore)).toBe(true);
          }
        }
      } finally {
        store.close();
      }
      const reopened = new Store(dir);
      const recovered = stateOf(reopened);
      reopened.close();
      fs.rmSync(dir, { recursive: true, force: true });
      expect(recovered).toEqual(acknowledged);
    }), { numRuns: 100 });
  });
});
