import { CipherBackend, nodeBackend } from './backends';
import { abytes, wipe } from './bytes';
import { DataKeyCache } from './cache';
import { openDataKeyEnvelope } from './data-key-envelope';
import { ExpectationError, IntegrityError, KeyNotFoundError, KmsAccessError, TooManyWrappedKeysError, UnsupportedFormatError } from './errors';
import { EnvelopeHeader, ParsedEnvelope, parseEnvelope, SUITE_DATA_KEY } from './format';
import { deriveMessageKeys, openBody } from './frames';
import { describeKeyArn, EnvelopeKms, MRK_ARN, unwrapDataKey } from './kms';
import { callOutput, checkOutputOption, OutputBuffer } from './output-buffer';

/** Wrapped keys tried on open, unless the caller allows more. */
export const DEFAULT_MAX_WRAPPED_KEYS = 10;

/** What the caller requires of an envelope before any plaintext is released. */
export interface OpenExpectations {
  /**
   * The envelope must be wrapped under one of these KMS keys, and only wrapped keys of these are tried. A key ARN
   * is compared with the wrapped key's full ARN (partition, region, account and key id), except that a
   * multi-Region key (`mrk-`) matches its ARN in any region, because open decrypts it with the replica in the
   * client's region. Anything else (a key id, an alias name or alias ARN) is resolved first with KMS DescribeKey,
   * as KMS resolves a KeyId: in the client's account and region, to the key it names at the time of the open.
   */
  readonly keyIds?: string[];
  /** These context pairs must be present with these values (exact string equality; extra pairs are allowed). */
  readonly encryptionContext?: Record<string, string>;
}

export interface OpenOptions {
  readonly kms: EnvelopeKms;
  readonly expect?: OpenExpectations;
  /**
   * At most this many wrapped keys (inclusive); an envelope with more is refused before any KMS call.
   * @default 10
   */
  readonly maxWrappedKeys?: number;
  /** Reuse decrypted data keys (see {@link DataKeyCache} for what a hit means). */
  readonly cache?: DataKeyCache;
  readonly backend?: CipherBackend;
  /**
   * Where to write the plaintext: called once, when its length is known (after the data key unwrapped and the
   * body's size implies the length, before anything is decrypted), it returns a Uint8Array of exactly `byteLength`
   * bytes, typically `reused.subarray(0, n)`; `plaintext` is that view. Refused (TypeError / RangeError naming
   * `output`) when it is not a Uint8Array, has another length, is backed by a SharedArrayBuffer or overlaps the
   * envelope. If the open fails after the call (a tampered frame, a bad tag), what it wrote there is zeroed. A
   * data-key envelope's 32-byte key is copied there too. Buffered opens only: the streamed forms refuse it.
   * @default - a new buffer per plaintext
   */
  readonly output?: OutputBuffer;
}

export interface Opened {
  readonly plaintext: Uint8Array;
  readonly encryptionContext: Record<string, string>;
  /** The KMS key ARN that decrypted the data key, as KMS reported it (for an `mrk-` key: the replica used). */
  readonly keyId: string;
}

/**
 * Opens an envelope: checks expectations, unwraps the data key with KMS, checks the key commitment in constant
 * time, then authenticates and decrypts every frame. Nothing is released unless all of it verifies.
 */
export async function open(envelope: Uint8Array, options: OpenOptions): Promise<Opened> {
  abytes(envelope, 'envelope');
  const output = checkOutputOption(options.output);
  const parsed = parseEnvelope(envelope);
  if (parsed.header.suite === SUITE_DATA_KEY) return openDataKeyEnvelope(envelope, parsed, options);
  const { encryptionKey, keyId, backend } = await unlock(parsed, options);
  try {
    const alloc = output && ((n: number) => callOutput(output, n, envelope, 'envelope'));
    const plaintext = openBody(backend, encryptionKey, parsed.headerBytes, parsed.header.frameSize, envelope.subarray(parsed.bodyOffset), alloc);
    return { plaintext, encryptionContext: { ...parsed.header.encryptionContext }, keyId };
  } finally {
    wipe(encryptionKey);
  }
}

/** The per-message key (the caller wipes it), the wrapping key that opened the envelope, and the backend. */
export interface Unlocked {
  readonly encryptionKey: Uint8Array;
  readonly keyId: string;
  readonly backend: CipherBackend;
}

/**
 * Unwraps the data key and returns the per-message key. Shared by the buffered and streamed opens.
 *
 * The wrapped keys are tried in envelope order (the order of the seal's `keyIds`), only those matching
 * `expect.keyIds` when given. Any failure of one (KMS refuses it, does not know its key, calls it invalid, or the
 * data key fails the commitment) moves on to the next. When none opens, the error is the most useful one seen:
 * a KMS refusal (KmsAccessError) first, then KeyNotFoundError, then any other error (a network error, say), and
 * the IntegrityError only when every wrapped key failed integrity.
 */
export async function unlock(parsed: ParsedEnvelope, options: OpenOptions): Promise<Unlocked> {
  const backend = options.backend ?? nodeBackend;
  if (parsed.header.suite === SUITE_DATA_KEY) throw new UnsupportedFormatError('a data-key envelope has no body to stream: read it with open()');
  const candidates = await candidateWrappedKeys(parsed, options);

  const context = parsed.header.encryptionContext;
  const errors: unknown[] = [];
  for (const wrapped of candidates) {
    const cached = options.cache?.takeForOpen(options.kms, wrapped, context);
    let unwrapped: { dataKey: Uint8Array; keyId: string };
    try {
      unwrapped = cached ?? await unwrapDataKey(options.kms, wrapped, context);
    } catch (err) {
      errors.push(err);
      continue;
    }
    try {
      const keys = deriveMessageKeys(backend, unwrapped.dataKey, parsed.header.messageId, parsed.header.suite);
      const committed = backend.equal(keys.commitment, parsed.header.commitment);
      wipe(keys.commitment);
      if (!committed) {
        wipe(keys.encryptionKey);
        errors.push(new IntegrityError());
        continue;
      }
      if (!cached) options.cache?.storeForOpen(options.kms, wrapped, context, unwrapped.dataKey, unwrapped.keyId);
      return { encryptionKey: keys.encryptionKey, keyId: unwrapped.keyId, backend };
    } finally {
      // Ours in every case: the cache hands out and keeps copies.
      wipe(unwrapped.dataKey);
    }
  }
  throw mostUsefulError(errors);
}

/** A KMS refusal says most, then an unknown key, then anything unexpected; a bare integrity failure says least. */
/**
 * The checks every open makes before a key is involved, in one place for both suites: the wrapped-key limit, the
 * context expectation, and the wrapped keys `expect.keyIds` allows, in envelope order (the ones to try).
 */
export async function candidateWrappedKeys(parsed: ParsedEnvelope, options: OpenOptions): Promise<ParsedEnvelope['wrappedKeys']> {
  const max = options.maxWrappedKeys ?? DEFAULT_MAX_WRAPPED_KEYS;
  if (parsed.wrappedKeys.length > max) throw new TooManyWrappedKeysError(parsed.wrappedKeys.length, max);
  checkContextExpectation(parsed.header, options.expect);
  const expectedArns = options.expect?.keyIds === undefined ? undefined : await resolveExpectedKeys(options.kms, options.expect.keyIds);
  const candidates = expectedArns ? parsed.wrappedKeys.filter(w => expectedArns.some(arn => sameKey(arn, w.keyId))) : parsed.wrappedKeys;
  if (candidates.length === 0) throw new ExpectationError(`not wrapped under any of ${options.expect!.keyIds!.join(', ')}`);
  return candidates;
}

export function mostUsefulError(errors: unknown[]): Error {
  const rank = (e: unknown) => (e instanceof KmsAccessError ? 0 : e instanceof KeyNotFoundError ? 1 : e instanceof IntegrityError ? 3 : 2);
  const sorted = [...errors].sort((a, b) => rank(a) - rank(b));
  return (sorted[0] as Error | undefined) ?? new IntegrityError();
}

export function checkContextExpectation(header: EnvelopeHeader, expect: OpenExpectations | undefined): void {
  for (const [key, value] of Object.entries(expect?.encryptionContext ?? {})) {
    if (!Object.hasOwn(header.encryptionContext, key) || header.encryptionContext[key] !== value) {
      throw new ExpectationError(`encryption context ${key} is not the expected value`);
    }
  }
}

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

/** Key ARNs as given; ids and aliases resolved by KMS DescribeKey in the client's account and region. */
export async function resolveExpectedKeys(kms: EnvelopeKms, keyIds: string[]): Promise<string[]> {
  if (!Array.isArray(keyIds) || keyIds.some(k => typeof k !== 'string' || k.length === 0)) {
    throw new TypeError('expect.keyIds: expected a list of KMS key ARNs, key ids or aliases');
  }
  return Promise.all(keyIds.map(k => (KEY_ARN.test(k) ? k : describeKeyArn(kms, k))));
}

/** Same key: identical ARNs, or the same multi-Region key (partition, account, `mrk-` id) in any region. */
export function sameKey(expectedArn: string, wrappedArn: string): boolean {
  if (expectedArn === wrappedArn) return true;
  // The same shape as the rewrite open applies (kms.ts), so that what matches is what opens.
  const a = MRK_ARN.exec(expectedArn);
  const b = MRK_ARN.exec(wrappedArn);
  return !!a && !!b && a[1] === b[1] && a[3] === b[3] && a[4] === b[4];
}
