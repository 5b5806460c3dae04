import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'fs';
import { join } from 'path';
import { AliasRecord, aliasSlot, GrantRecordStored, KeyRecord, keySlot, PrincipalRecord, StackRecord, stackSlot } from './state';

/** One line of the journal: a record as it now is, or its removal. */
type JournalEntry =
  | { k: 'key'; v: KeyRecord } | { k: 'del-key'; id: string }
  | { k: 'alias'; v: AliasRecord } | { k: 'del-alias'; id: string }
  | { k: 'grant'; v: GrantRecordStored } | { k: 'del-grant'; id: string }
  | { k: 'principal'; v: PrincipalRecord } | { k: 'del-principal'; id: string }
  | { k: 'stack'; v: StackRecord } | { k: 'del-stack'; id: string };

const JOURNAL = 'journal.jsonl';

/**
 * The emulator's state, and its durability.
 *
 * With a data directory every change is appended to a journal as the records' new values and fsync'ed before
 * the request is answered, so whatever was acknowledged survives a crash (kill -9 included). On start the journal
 * is replayed (a torn last line, from a crash mid-write, was never acknowledged and is dropped) and compacted
 * into a fresh journal written beside it and renamed over it, atomically.
 */
export class Store {
  public readonly keys = new Map<string, KeyRecord>();
  public readonly aliases = new Map<string, AliasRecord>();
  public readonly grants = new Map<string, GrantRecordStored>();
  /** Principals registered at run time, by access key id. */
  public readonly principals = new Map<string, PrincipalRecord>();
  /** Local deployments' stack state, by account/region/stack name. */
  public readonly stacks = new Map<string, StackRecord>();
  private fd?: number;
  private pending: JournalEntry[] = [];

  constructor(private readonly dataDir?: string) {
    if (!dataDir) return;
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, JOURNAL);
    if (existsSync(path)) this.replay(readFileSync(path, 'utf8'));
    this.compact(path);
    this.fd = openSync(path, 'a');
  }

  public putKey(record: KeyRecord): void {
    this.keys.set(keySlot(record.account, record.region, record.keyId), record);
    this.pending.push({ k: 'key', v: record });
  }

  public deleteKey(record: KeyRecord): void {
    const id = keySlot(record.account, record.region, record.keyId);
    this.keys.delete(id);
    this.pending.push({ k: 'del-key', id });
  }

  public putAlias(record: AliasRecord): void {
    this.aliases.set(aliasSlot(record.account, record.region, record.aliasName), record);
    this.pending.push({ k: 'alias', v: record });
  }

  public deleteAlias(record: AliasRecord): void {
    const id = aliasSlot(record.account, record.region, record.aliasName);
    this.aliases.delete(id);
    this.pending.push({ k: 'del-alias', id });
  }

  public putGrant(record: GrantRecordStored): void {
    this.grants.set(record.grantId, record);
    this.pending.push({ k: 'grant', v: record });
  }

  public deleteGrant(grantId: string): void {
    this.grants.delete(grantId);
    this.pending.push({ k: 'del-grant', id: grantId });
  }

  public putPrincipal(record: PrincipalRecord): void {
    this.principals.set(record.accessKeyId, record);
    this.pending.push({ k: 'principal', v: record });
  }

  public deletePrincipal(accessKeyId: string): void {
    this.principals.delete(accessKeyId);
    this.pending.push({ k: 'del-principal', id: accessKeyId });
  }

  public putStack(record: StackRecord): void {
    this.stacks.set(stackSlot(record.account, record.region, record.stackName), record);
    this.pending.push({ k: 'stack', v: record });
  }

  public deleteStack(record: StackRecord): void {
    const id = stackSlot(record.account, record.region, record.stackName);
    this.stacks.delete(id);
    this.pending.push({ k: 'del-stack', id });
  }

  /**
   * Makes the changes of one request durable: one write of all its journal lines, then fsync. Called before
   * the response is sent. Without a data directory it only forgets the pending list.
   */
  public flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending.map(e => JSON.stringify(e)).join('\n') + '\n';
    this.pending = [];
    if (this.fd === undefined) return;
    writeSync(this.fd, lines);
    fsyncSync(this.fd);
  }

  public close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private replay(text: string): void {
    const lines = text.split('\n').filter(l => l.length > 0);
    lines.forEach((line, i) => {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch (err) {
        if (i === lines.length - 1) return; // torn tail: the write that crashed was never acknowledged
        throw new Error(`emulator journal is corrupt at line ${i + 1}: ${(err as Error).message}`);
      }
      this.apply(entry);
    });
  }

  private apply(entry: JournalEntry): void {
    switch (entry.k) {
      case 'key': this.keys.set(keySlot(entry.v.account, entry.v.region, entry.v.keyId), entry.v); break;
      case 'del-key': this.keys.delete(entry.id); break;
      case 'alias': this.aliases.set(aliasSlot(entry.v.account, entry.v.region, entry.v.aliasName), entry.v); break;
      case 'del-alias': this.aliases.delete(entry.id); break;
      case 'grant': this.grants.set(entry.v.grantId, entry.v); break;
      case 'del-grant': this.grants.delete(entry.id); break;
      case 'principal': this.principals.set(entry.v.accessKeyId, entry.v); break;
      case 'del-principal': this.principals.delete(entry.id); break;
      case 'stack': this.stacks.set(stackSlot(entry.v.account, entry.v.region, entry.v.stackName), entry.v); break;
      case 'del-stack': this.stacks.delete(entry.id); break;
    }
  }

  private compact(path: string): void {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    const entries: JournalEntry[] = [
      ...[...this.keys.values()].map(v => ({ k: 'key' as const, v })),
      ...[...this.aliases.values()].map(v => ({ k: 'alias' as const, v })),
      ...[...this.grants.values()].map(v => ({ k: 'grant' as const, v })),
      ...[...this.principals.values()].map(v => ({ k: 'principal' as const, v })),
      ...[...this.stacks.values()].map(v => ({ k: 'stack' as const, v })),
    ];
    if (entries.length) writeSync(fd, entries.map(e => JSON.stringify(e)).join('\n') + '\n');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    const dir = openSync(this.dataDir!, 'r');
    fsyncSync(dir);
    closeSync(dir);
  }
}
