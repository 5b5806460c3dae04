import { wipe } from './bytes';
import { encodeContext, WrappedKey } from './format';

/** Limits of a {@link DataKeyCache}. */
export interface DataKeyCacheOptions {
  /** How long a data key may seal messages, in ms. Default 5 minutes. */
  readonly maxAgeMs?: number;
  /** How many messages one data key may seal. Default 10,000. */
  readonly maxMessages?: number;
  /** How many plaintext bytes one data key may seal. Default 1 GiB. */
  readonly maxBytes?: number;
  /** How long a decrypted data key may open envelopes, in ms. Default 5 minutes. */
  readonly openTtlMs?: number;
  /** Entries kept in each of the two caches; the oldest is evicted (and zeroed) first. Default 100. */
  readonly maxEntries?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

interface SealEntry { dataKey: Uint8Array; wrapped: WrappedKey[]; createdAt: number; messages: number; bytes: number }
interface OpenEntry { dataKey: Uint8Array; expiresAt: number }

/**
 * Data keys reused within limits, so that sealing many small messages costs one KMS call per window and opening
 * many envelopes of one data key costs one Decrypt. Seal entries are partitioned by key ids and encryption
 * context; open entries by the wrapped key's bytes. Evicted keys are zeroed.
 */
export class DataKeyCache {
  public readonly stats = { sealHits: 0, sealMisses: 0, openHits: 0, openMisses: 0 };
  private readonly sealEntries = new Map<string, SealEntry>();
  private readonly openEntries = new Map<string, OpenEntry>();
  private readonly maxAgeMs: number;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly openTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: DataKeyCacheOptions = {}) {
    this.maxAgeMs = positive(options.maxAgeMs ?? 5 * 60_000, 'maxAgeMs');
    this.maxMessages = positive(options.maxMessages ?? 10_000, 'maxMessages');
    this.maxBytes = positive(options.maxBytes ?? 2 ** 30, 'maxBytes');
    this.openTtlMs = positive(options.openTtlMs ?? 5 * 60_000, 'openTtlMs');
    this.maxEntries = positive(options.maxEntries ?? 100, 'maxEntries');
    this.now = options.now ?? Date.now;
  }

  /** A cached data key for sealing one more message of `bytes`, if the entry stays within every limit. */
  public takeForSeal(keyIds: string[], context: Record<string, string>, bytes: number): { dataKey: Uint8Array; wrapped: WrappedKey[] } | undefined {
    const id = sealPartition(keyIds, context);
    const entry = this.sealEntries.get(id);
    if (entry && (this.now() - entry.createdAt >= this.maxAgeMs || entry.messages + 1 > this.maxMessages || entry.bytes + bytes > this.maxBytes)) {
      this.evictSeal(id);
    } else if (entry) {
      entry.messages++;
      entry.bytes += bytes;
      this.stats.sealHits++;
      return { dataKey: entry.dataKey, wrapped: entry.wrapped };
    }
    this.stats.sealMisses++;
    return undefined;
  }

  /** Keeps a fresh data key for later seals (it then belongs to the cache, which zeroes it on eviction). */
  public storeForSeal(keyIds: string[], context: Record<string, string>, dataKey: Uint8Array, wrapped: WrappedKey[], bytes: number): boolean {
    if (bytes > this.maxBytes) return false;
    const id = sealPartition(keyIds, context);
    this.evictSeal(id);
    this.sealEntries.set(id, { dataKey, wrapped, createdAt: this.now(), messages: 1, bytes });
    while (this.sealEntries.size > this.maxEntries) this.evictSeal(this.sealEntries.keys().next().value!);
    return true;
  }

  /** A data key decrypted earlier from the same wrapped-key bytes, within its TTL. */
  public takeForOpen(wrapped: WrappedKey): Uint8Array | undefined {
    const id = Buffer.from(wrapped.ciphertext).toString('base64');
    const entry = this.openEntries.get(id);
    if (entry && entry.expiresAt > this.now()) {
      this.stats.openHits++;
      return entry.dataKey;
    }
    if (entry) this.evictOpen(id);
    this.stats.openMisses++;
    return undefined;
  }

  /** Keeps a decrypted data key (it then belongs to the cache). */
  public storeForOpen(wrapped: WrappedKey, dataKey: Uint8Array): void {
    const id = Buffer.from(wrapped.ciphertext).toString('base64');
    this.evictOpen(id);
    this.openEntries.set(id, { dataKey, expiresAt: this.now() + this.openTtlMs });
    while (this.openEntries.size > this.maxEntries) this.evictOpen(this.openEntries.keys().next().value!);
  }

  /** Zeroes and forgets every cached key. */
  public clear(): void {
    [...this.sealEntries.keys()].forEach(k => this.evictSeal(k));
    [...this.openEntries.keys()].forEach(k => this.evictOpen(k));
  }

  private evictSeal(id: string): void {
    const entry = this.sealEntries.get(id);
    if (entry) wipe(entry.dataKey);
    this.sealEntries.delete(id);
  }

  private evictOpen(id: string): void {
    const entry = this.openEntries.get(id);
    if (entry) wipe(entry.dataKey);
    this.openEntries.delete(id);
  }
}

function sealPartition(keyIds: string[], context: Record<string, string>): string {
  return `${JSON.stringify(keyIds)}|${Buffer.from(encodeContext(context)).toString('base64')}`;
}

function positive(value: number, title: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`${title}: expected a positive number, got ${value}`);
  return value;
}
