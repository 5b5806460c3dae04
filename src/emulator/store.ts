import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import { join } from 'path';
import { DueIndex } from './due-index';
import { KmsError } from './errors';
import { decodeJournal, DecodedJournal, encodeLine, JOURNAL_FILE, JournalFs, JournalWriter, NODE_JOURNAL_FS } from './journal';
import { JournalEntry } from './journal-entry';
import { AliasRecord, aliasSlot, GrantRecordStored, KeyRecord, keySlot, PrincipalRecord, StackRecord, stackSlot } from './state';

type Table = 'key' | 'alias' | 'grant' | 'principal' | 'stack';
type StoredRecord = KeyRecord | AliasRecord | GrantRecordStored | PrincipalRecord | StackRecord;

/** A record a request changed: its table and slot; the value written is whatever the slot holds at flush. */
interface Touched {
  readonly table: Table;
  readonly slot: string;
}

/**
 * The emulator's state, and its durability.
 *
 * With a data directory, the records a request changed are written by {@link flush} as one journal line (see
 * journal.ts) and fsync'ed before the request is answered: whatever was acknowledged survives a crash (kill -9
 * included), and a request is on disk entirely or not at all. If the write fails (a full disk), the request fails
 * and memory is put back as it was before it, from the last durable value of each record it touched.
 *
 * On start the journal is replayed; one this version does not fully understand is refused (the emulator does not
 * start, the file is left untouched). A journal that replayed cleanly is compacted into a fresh file written
 * beside it and renamed over it; if that cannot be written (a full disk), the journal is kept as it is.
 */
export class Store {
  public readonly keys = new Map<string, KeyRecord>();
  public readonly aliases = new Map<string, AliasRecord>();
  public readonly grants = new Map<string, GrantRecordStored>();
  /** Principals registered at run time (admin API), by access key id. */
  public readonly principals = new Map<string, PrincipalRecord>();
  /** Local deployments' stack state, by account/region/stack name. */
  public readonly stacks = new Map<string, StackRecord>();
  /** Keys due for deletion (PendingDeletion, by deletion date) and rotation (by next rotation date): lifecycle.ts. */
  public readonly deletionsDue = new DueIndex();
  public readonly rotationsDue = new DueIndex();
  /** Keys with imported material that expires (Origin EXTERNAL), by the earliest `ValidTo`: byok/material.ts. */
  public readonly materialExpiriesDue = new DueIndex();
  /** Indexes kept with every write, so no request walks a whole table (see {@link index}). */
  private readonly keySlotsById = new Map<string, Set<string>>();
  private readonly aliasSlotsByKey = new Map<string, Set<string>>();
  private readonly aliasKeyOf = new Map<string, string>();
  private readonly grantIdsByKeyArn = new Map<string, Set<string>>();
  private readonly touched = new Map<string, Touched>();
  /** The last durable JSON of every record, to put memory back when a write fails. */
  private readonly durable = new Map<string, string>();
  private writer?: JournalWriter;
  private fd?: number;
  private writes = 0;
  private principalWrites = 0;

  constructor(private readonly dataDir?: string, io: JournalFs = NODE_JOURNAL_FS) {
    if (!dataDir) return;
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, JOURNAL_FILE);
    const journal = decodeJournal(existsSync(path) ? readFileSync(path) : new Uint8Array(), path);
    for (const batch of journal.batches) batch.forEach(entry => this.replay(entry));
    const { fd, size, sequence } = this.compact(path) ?? this.keepAsItIs(path, journal);
    this.fd = fd;
    this.writer = new JournalWriter(fd, size, sequence, io);
  }

  /**
   * How many writes the tables have seen (requests, rollbacks and replay alike). Anything derived from the state
   * and kept across requests (the decision cache) compares it to know the state has not changed since.
   */
  public get generation(): number {
    return this.writes;
  }

  /**
   * How many writes the principals table has seen: what a decision without a key (CreateKey, ListKeys...) can depend
   * on in the store, as it reads no key, alias or grant (authz/decision-cache.ts).
   */
  public get principalGeneration(): number {
    return this.principalWrites;
  }

  /** The records of a key id in every account and region, in the order they were created. */
  public keysWithId(keyId: string): KeyRecord[] {
    return this.lookup(this.keySlotsById.get(keyId), this.keys);
  }

  /** The aliases that point at a key. */
  public aliasesOfKey(key: Pick<KeyRecord, 'account' | 'region' | 'keyId'>): AliasRecord[] {
    return this.lookup(this.aliasSlotsByKey.get(keySlot(key.account, key.region, key.keyId)), this.aliases);
  }

  /** The grants on a key (by its ARN), in the order they were created. */
  public grantsOfKey(keyArn: string): GrantRecordStored[] {
    return this.lookup(this.grantIdsByKeyArn.get(keyArn), this.grants);
  }

  /**
   * Re-reads a key's due times from its record: for a key whose record changed without {@link putKey} (a
   * lifecycle check that found it not due after all).
   */
  public reindexKey(slot: string): void {
    const record = this.keys.get(slot);
    if (record) this.indexKey(slot, record, record);
  }

  public putKey(record: KeyRecord): void {
    this.set('key', keySlot(record.account, record.region, record.keyId), record);
  }

  public deleteKey(record: KeyRecord): void {
    this.remove('key', keySlot(record.account, record.region, record.keyId));
  }

  public putAlias(record: AliasRecord): void {
    this.set('alias', aliasSlot(record.account, record.region, record.aliasName), record);
  }

  public deleteAlias(record: AliasRecord): void {
    this.remove('alias', aliasSlot(record.account, record.region, record.aliasName));
  }

  public putGrant(record: GrantRecordStored): void {
    this.set('grant', record.grantId, record);
  }

  public deleteGrant(grantId: string): void {
    this.remove('grant', grantId);
  }

  public putPrincipal(record: PrincipalRecord): void {
    this.set('principal', record.accessKeyId, record);
  }

  public deletePrincipal(accessKeyId: string): void {
    this.remove('principal', accessKeyId);
  }

  public putStack(record: StackRecord): void {
    this.set('stack', stackSlot(record.account, record.region, record.stackName), record);
  }

  public deleteStack(record: StackRecord): void {
    this.remove('stack', stackSlot(record.account, record.region, record.stackName));
  }

  /**
   * Makes the changes of one request durable: one journal line with every record it touched, written whole and
   * fsync'ed. Called before the response is sent. If the write fails, memory is put back as it was before the
   * request and KMSInternalException is thrown (the request was not applied). Without a data directory it only
   * forgets what was touched.
   */
  public flush(): void {
    if (this.touched.size === 0) return;
    const touched = [...this.touched.values()];
    this.touched.clear();
    if (!this.writer) return;
    const entries = touched.map(t => this.entryOf(t));
    try {
      this.writer.append(entries);
    } catch (err) {
      touched.forEach(t => this.restore(t));
      throw new KmsError('KMSInternalException',
        `The request was rejected because the emulator could not write it to its data directory (${(err as Error).message}); nothing was changed.`);
    }
    entries.forEach((entry, i) => {
      const id = slotId(touched[i].table, touched[i].slot);
      if ('v' in entry) this.durable.set(id, JSON.stringify(entry.v));
      else this.durable.delete(id);
    });
  }

  public close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.writer = undefined;
  }

  private set(table: Table, slot: string, record: StoredRecord): void {
    this.write(table, slot, record);
    this.touched.set(slotId(table, slot), { table, slot });
  }

  private remove(table: Table, slot: string): void {
    this.write(table, slot, undefined);
    this.touched.set(slotId(table, slot), { table, slot });
  }

  /** Every change to a table goes through here (requests, rollback, replay), so the indexes never drift. */
  private write(table: Table, slot: string, record: StoredRecord | undefined): void {
    this.writes++;
    if (table === 'principal') this.principalWrites++;
    const map = this.table(table);
    const before = map.get(slot) as StoredRecord | undefined;
    if (record === undefined) map.delete(slot);
    else map.set(slot, record);
    if (table === 'key') this.indexKey(slot, before as KeyRecord | undefined, record as KeyRecord | undefined);
    else if (table === 'alias') this.indexAlias(slot, record as AliasRecord | undefined);
    else if (table === 'grant') this.indexGrant(slot, before as GrantRecordStored | undefined, record as GrantRecordStored | undefined);
  }

  private indexKey(slot: string, before: KeyRecord | undefined, after: KeyRecord | undefined): void {
    if (after) addTo(this.keySlotsById, after.keyId, slot);
    else if (before) removeFrom(this.keySlotsById, before.keyId, slot);
    // The same conditions lifecycle.ts checks when the time comes.
    this.deletionsDue.set(slot, after?.state === 'PendingDeletion' ? after.deletionDate : undefined);
    const rotates = after !== undefined && after.rotation.enabled && after.multiRegionKeyType !== 'REPLICA';
    this.rotationsDue.set(slot, rotates ? after.rotation.nextRotationDate : undefined);
    this.materialExpiriesDue.set(slot, after ? earliestMaterialExpiry(after) : undefined);
  }

  /** An alias can be pointed at another key (UpdateAlias changes the record in place), so its old target is remembered. */
  private indexAlias(slot: string, after: AliasRecord | undefined): void {
    const previous = this.aliasKeyOf.get(slot);
    const target = after ? keySlot(after.account, after.region, after.targetKeyId) : undefined;
    if (previous === target) return;
    if (previous !== undefined) removeFrom(this.aliasSlotsByKey, previous, slot);
    if (target === undefined) {
      this.aliasKeyOf.delete(slot);
    } else {
      this.aliasKeyOf.set(slot, target);
      addTo(this.aliasSlotsByKey, target, slot);
    }
  }

  private indexGrant(slot: string, before: GrantRecordStored | undefined, after: GrantRecordStored | undefined): void {
    if (after) addTo(this.grantIdsByKeyArn, after.keyArn, slot);
    else if (before) removeFrom(this.grantIdsByKeyArn, before.keyArn, slot);
  }

  private lookup<T>(slots: Set<string> | undefined, map: Map<string, T>): T[] {
    const out: T[] = [];
    for (const slot of slots ?? []) {
      const record = map.get(slot);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  private table(table: Table): Map<string, unknown> {
    switch (table) { // (not an object of the five made per write)
      case 'key': return this.keys;
      case 'alias': return this.aliases;
      case 'grant': return this.grants;
      case 'principal': return this.principals;
      case 'stack': return this.stacks;
    }
  }

  /** The journal entry for a touched slot: its record as it now is, or its removal. */
  private entryOf({ table, slot }: Touched): JournalEntry {
    const value = this.table(table).get(slot);
    return (value === undefined ? { k: `del-${table}`, id: slot } : { k: table, v: value }) as JournalEntry;
  }

  private restore({ table, slot }: Touched): void {
    const json = this.durable.get(slotId(table, slot));
    this.write(table, slot, json === undefined ? undefined : JSON.parse(json));
  }

  private replay(entry: JournalEntry): void {
    const [table, slot, value] = tableSlotOf(entry);
    this.write(table, slot, value);
    if (value === undefined) {
      this.durable.delete(slotId(table, slot));
    } else {
      this.durable.set(slotId(table, slot), JSON.stringify(value));
    }
  }

  /** Rewrites the journal with one line per live record; undefined if it could not (the old journal stays). */
  private compact(path: string): { fd: number; size: number; sequence: number } | undefined {
    const tmp = `${path}.tmp`;
    const entries: JournalEntry[] = [
      ...[...this.keys.values()].map(v => ({ k: 'key' as const, v })),
      ...[...this.aliases.values()].map(v => ({ k: 'alias' as const, v })),
      ...[...this.grants.values()].map(v => ({ k: 'grant' as const, v })),
      ...[...this.principals.values()].map(v => ({ k: 'principal' as const, v })),
      ...[...this.stacks.values()].map(v => ({ k: 'stack' as const, v })),
    ];
    const bytes = Buffer.concat(entries.map((entry, i) => encodeLine(i + 1, [entry])));
    try {
      const fd = openSync(tmp, 'w');
      try {
        for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch {
      rmSync(tmp, { force: true });
      return undefined;
    }
    this.syncDirectory();
    return { fd: openSync(path, 'r+'), size: bytes.length, sequence: entries.length };
  }

  /** Keeps a journal that could not be compacted, without the torn tail a crash may have left. */
  private keepAsItIs(path: string, journal: DecodedJournal): { fd: number; size: number; sequence: number } {
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    if (journal.tornBytes > 0) {
      NODE_JOURNAL_FS.ftruncateSync(fd, journal.completeBytes);
      fsyncSync(fd);
    }
    this.syncDirectory();
    return { fd, size: journal.completeBytes, sequence: journal.lastSequence };
  }

  private syncDirectory(): void {
    const dir = openSync(this.dataDir!, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

/** When a key's first imported material expires (undefined for keys whose material does not). */
function earliestMaterialExpiry(key: KeyRecord): number | undefined {
  if (key.origin !== 'EXTERNAL') return undefined;
  const dates = [...key.materials, ...(key.pendingRotation ? [key.pendingRotation] : [])]
    .filter(m => m.importState === 'IMPORTED' && m.expirationModel === 'KEY_MATERIAL_EXPIRES' && m.validTo !== undefined)
    .map(m => m.validTo!);
  return dates.length ? Math.min(...dates) : undefined;
}

function addTo(index: Map<string, Set<string>>, key: string, slot: string): void {
  let slots = index.get(key);
  if (!slots) index.set(key, slots = new Set());
  slots.add(slot);
}

function removeFrom(index: Map<string, Set<string>>, key: string, slot: string): void {
  const slots = index.get(key);
  if (!slots) return;
  slots.delete(slot);
  if (slots.size === 0) index.delete(key);
}

function slotId(table: Table, slot: string): string {
  return `${table}:${slot}`;
}

function tableSlotOf(entry: JournalEntry): [Table, string, StoredRecord?] {
  switch (entry.k) {
    case 'key': return ['key', keySlot(entry.v.account, entry.v.region, entry.v.keyId), entry.v];
    case 'alias': return ['alias', aliasSlot(entry.v.account, entry.v.region, entry.v.aliasName), entry.v];
    case 'grant': return ['grant', entry.v.grantId, entry.v];
    case 'del-key': return ['key', entry.id];
    case 'del-alias': return ['alias', entry.id];
    case 'del-grant': return ['grant', entry.id];
    case 'principal': return ['principal', entry.v.accessKeyId, entry.v];
    case 'stack': return ['stack', stackSlot(entry.v.account, entry.v.region, entry.v.stackName), entry.v];
    case 'del-principal': return ['principal', entry.id];
    case 'del-stack': return ['stack', entry.id];
  }
}
