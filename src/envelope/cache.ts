import { copyBytes, wipe } from './bytes';
import { encodeContext, WrappedKey } from './format';

/**
 * Limits of a {@link DataKeyCache}. Counts are inclusive ("at most"); ages are exclusive (an entry of exactly
 * `maxAgeMs` or `openTtlMs` is expired).
 */
export interface DataKeyCacheOptions {
  /**
   * A data key seals messages only while younger than this, in ms (age measured from when it was stored).
   * @default 300000 (5 minutes)
   */
  readonly maxAgeMs?: number;
  /**
   * At most this many messages are sealed under one data key (the message that stores it counts).
   * @default 10000
   */
  readonly maxMessages?: number;
  /**
   * At most this many plaintext bytes are sealed under one data key, summed over its messages. A message larger
   * than this on its own is sealed under a fresh key that is not cached.
   * @default 1073741824 (1 GiB)
   */
  readonly maxBytes?: number;
  /**
   * A decrypted data key opens envelopes only while younger than this, in ms.
   * @default 300000 (5 minutes)
   */
  readonly openTtlMs?: number;
  /**
   * At most this many entries in each of the two caches; the least recently stored is evicted (and zeroed) first.
   * @default 100
   */
  readonly maxEntries?: number;
  /**
   * The clock, in ms, for tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A data key for one seal; `dataKey` is a copy that the caller owns and must wipe. */
export interface SealKeyLease {
  readonly dataKey: Uint8Array;
  readonly wrapped: WrappedKey[];
}

/** A data key for one open; `dataKey` is a copy that the caller owns and must wipe. */
export interface OpenKeyLease {
  readonly dataKey: Uint8Array;
  /** The key ARN KMS reported when it decrypted the wrapped key. */
  readonly keyId: string;
}

interface SealEntry { readonly dataKey: Uint8Array; readonly wrapped: WrappedKey[]; readonly createdAt: number; messages: number; bytes: number }
interface OpenEntry { readonly dataKey: Uint8Array; readonly keyId: string; readonly expiresAt: number }

/**
 * Data keys reused within limits, so that sealing many small messages costs one KMS call per window and opening
 * many envelopes of one data key costs one Decrypt.
 *
 * What a hit means:
 * - seal: the same KMS client already obtained a data key for the same key ids (as given, in order) and the same
 *   encryption context, and that key stays within every limit after counting this message and its bytes;
 * - open: the same KMS client already had KMS Decrypt exactly this wrapped key (its key ARN, its ciphertext bytes and
 *   the envelope's encryption context, which is everything KMS binds) within `openTtlMs`. So a cached open accepts
 *   exactly what an uncached one accepts, and reports the same key ARN and context.
 * A hit skips KMS, so a permission revoked in KMS takes effect for cached keys only when they expire: size the
 * limits to the revocation delay you accept. Entries are partitioned by the KMS client object, so callers with
 * different credentials or regions never share a key, but do not share one cache across trust boundaries anyway.
 *
 * Ownership: the cache keeps its own copy of every key it stores and hands out copies. The caller owns (and wipes)
 * what it passes in and what it receives; the cache zeroes its copy when the entry is evicted, replaced, expired or
 * cleared. No caller ever holds the cache's buffer, so an eviction during another seal's `await` cannot zero a key
 * that seal is still using.
 */
export class DataKeyCache {
  public readonly stats = { sealHits: 0, sealMisses: 0, openHits: 0, openMisses: 0 };
  private readonly sealEntries = new Map<string, SealEntry>();
  private readonly openEntries = new Map<string, OpenEntry>();
  private readonly clients = new WeakMap<object, number>();
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

  /**
   * A copy of a cached data key for sealing one more message of `bytes`, if the entry stays within every limit
   * counting it (the message and bytes are charged now). An entry over a limit is evicted. `encodedContext` is
   * `encodeContext(context)` when the caller has it already (seal does), sparing the cache another encoding.
   */
  public takeForSeal(
    client: object, keyIds: string[], context: Record<string, string>, bytes: number, encodedContext?: Uint8Array,
  ): SealKeyLease | undefined {
    const id = this.sealPartition(client, keyIds, encodedContext ?? encodeContext(context));
    const entry = this.sealEntries.get(id);
    if (entry && (this.now() - entry.createdAt >= this.maxAgeMs || entry.messages + 1 > this.maxMessages || entry.bytes + bytes > this.maxBytes)) {
      this.evictSeal(id);
    } else if (entry) {
      entry.messages++;
      entry.bytes += bytes;
      this.stats.sealHits++;
      return { dataKey: copyBytes(entry.dataKey), wrapped: entry.wrapped };
    }
    this.stats.sealMisses++;
    return undefined;
  }

  /**
   * Keeps a copy of a fresh data key for later seals, charged with its first message of `bytes`; the caller keeps
   * its own buffer (and wipes it). Returns false, keeping nothing, when that message alone exceeds `maxBytes`.
   */
  public storeForSeal(
    client: object, keyIds: string[], context: Record<string, string>, dataKey: Uint8Array, wrapped: WrappedKey[], bytes: number,
    encodedContext?: Uint8Array,
  ): boolean {
    if (bytes > this.maxBytes) return false;
    const id = this.sealPartition(client, keyIds, encodedContext ?? encodeContext(context));
    this.evictSeal(id);
    this.sealEntries.set(id, { dataKey: copyBytes(dataKey), wrapped, createdAt: this.now(), messages: 1, bytes });
    while (this.sealEntries.size > this.maxEntries) this.evictSeal(this.sealEntries.keys().next().value!);
    return true;
  }

  /** A copy of the data key this client decrypted earlier from this wrapped key and context, within the TTL. */
  public takeForOpen(client: object, wrapped: WrappedKey, context: Record<string, string>): OpenKeyLease | undefined {
    const id = this.openPartition(client, wrapped, context);
    const entry = this.openEntries.get(id);
    if (entry && this.now() < entry.expiresAt) {
      this.stats.openHits++;
      return { dataKey: copyBytes(entry.dataKey), keyId: entry.keyId };
    }
    if (entry) this.evictOpen(id);
    this.stats.openMisses++;
    return undefined;
  }

  /** Keeps a copy of a data key KMS decrypted from this wrapped key and context (the caller wipes its own). */
  public storeForOpen(client: object, wrapped: WrappedKey, context: Record<string, string>, dataKey: Uint8Array, keyId: string): void {
    const id = this.openPartition(client, wrapped, context);
    this.evictOpen(id);
    this.openEntries.set(id, { dataKey: copyBytes(dataKey), keyId, expiresAt: this.now() + this.openTtlMs });
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

  /** A number per KMS client object, so that entries of different clients never meet. */
  private clientId(client: object): number {
    let id = this.clients.get(client);
    if (id === undefined) {
      id = nextClientId++;
      this.clients.set(client, id);
    }
    return id;
  }

  /** `encodedContext` is the context's canonical encoding (seal has it already: see {@link encodeContext}). */
  private sealPartition(client: object, keyIds: string[], encodedContext: Uint8Array): string {
    // Unambiguous without JSON: the client's number, each key id behind its length, then the context's bytes.
    return `${this.clientId(client)}|${keyIds.map(k => `${k.length}:${k}`).join('')}|${base64(encodedContext)}`;
  }

  private openPartition(client: object, wrapped: WrappedKey, context: Record<string, string>): string {
    return JSON.stringify([this.clientId(client), wrapped.keyId, base64(wrapped.ciphertext), base64(encodeContext(context))]);
  }
}

let nextClientId = 1;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function positive(value: number, title: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`${title}: expected a positive number, got ${value}`);
  return value;
}
