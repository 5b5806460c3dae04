import { CipherBackend, nodeBackend } from './backends';
import { abytes, concat, wipe } from './bytes';
import { DataKeyCache } from './cache';
import { ExpectationError, IntegrityError, KeyNotFoundError, KmsAccessError, TooManyWrappedKeysError } from './errors';
import { EnvelopeHeader, ParsedEnvelope, parseEnvelope, WrappedKey } from './format';
import { deriveMessageKeys, FrameOpener } from './frames';
import { KmsLike, unwrapDataKey } from './kms';

/** Wrapped keys tried on open, unless the caller allows more. */
export const DEFAULT_MAX_WRAPPED_KEYS = 10;

/** What the caller requires of an envelope before any plaintext is released. */
export interface OpenExpectations {
  /** The envelope must be wrapped under one of these KMS keys (ids or ARNs; compared as suffixes of the wrapped ARNs). */
  readonly keyIds?: string[];
  /** These context pairs must be present with these values. */
  readonly encryptionContext?: Record<string, string>;
}

export interface OpenOptions {
  readonly kms: KmsLike;
  readonly expect?: OpenExpectations;
  readonly maxWrappedKeys?: number;
  readonly cache?: DataKeyCache;
  readonly backend?: CipherBackend;
}

export interface Opened {
  readonly plaintext: Uint8Array;
  readonly encryptionContext: Record<string, string>;
  /** The KMS key ARN whose wrapped key opened the envelope. */
  readonly keyId: string;
}

/**
 * Opens an envelope: checks expectations, unwraps the data key with KMS, checks the key commitment in constant
 * time, then authenticates and decrypts every frame. Nothing is released unless all of it verifies.
 */
export async function open(envelope: Uint8Array, options: OpenOptions): Promise<Opened> {
  abytes(envelope, 'envelope');
  const parsed = parseEnvelope(envelope);
  const { encryptionKey, keyId, backend } = await unlock(parsed, options);
  try {
    const opener = new FrameOpener(backend, encryptionKey, parsed.headerBytes, parsed.header.frameSize);
    const frames = opener.push(envelope.subarray(parsed.bodyOffset));
    try {
      opener.finish();
    } catch (err) {
      wipe(...frames);
      throw err;
    }
    return { plaintext: concat(frames), encryptionContext: { ...parsed.header.encryptionContext }, keyId };
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
 * Unwraps the data key (trying wrapped keys in order, at most `maxWrappedKeys`), checks the commitment, and returns
 * the per-message key. Shared by the buffered and streamed opens.
 */
export async function unlock(parsed: ParsedEnvelope, options: OpenOptions): Promise<Unlocked> {
  const backend = options.backend ?? nodeBackend;
  const max = options.maxWrappedKeys ?? DEFAULT_MAX_WRAPPED_KEYS;
  if (parsed.wrappedKeys.length > max) throw new TooManyWrappedKeysError(parsed.wrappedKeys.length, max);
  checkExpectations(parsed.header, parsed.wrappedKeys, options.expect);
  const candidates = options.expect?.keyIds ? parsed.wrappedKeys.filter(w => matchesAny(w.keyId, options.expect!.keyIds!)) : parsed.wrappedKeys;

  let lastError: Error | undefined;
  for (const wrapped of candidates) {
    const cached = options.cache?.takeForOpen(wrapped);
    let dataKey: Uint8Array;
    try {
      dataKey = cached ?? await unwrapDataKey(options.kms, wrapped, parsed.header.encryptionContext);
    } catch (err) {
      lastError = err as Error;
      continue;
    }
    let stored = false;
    try {
      const keys = deriveMessageKeys(backend, dataKey, parsed.header.messageId, parsed.header.suite);
      const committed = backend.equal(keys.commitment, parsed.header.commitment);
      wipe(keys.commitment);
      if (!committed) {
        wipe(keys.encryptionKey);
        throw new IntegrityError();
      }
      if (!cached && options.cache) {
        options.cache.storeForOpen(wrapped, dataKey);
        stored = true;
      }
      return { encryptionKey: keys.encryptionKey, keyId: wrapped.keyId, backend };
    } finally {
      // A key we unwrapped and did not hand to the cache is ours to zero, on success and on failure alike.
      if (!cached && !stored) wipe(dataKey);
    }
  }
  // Prefer telling the caller about access over "not found", and both over a bare integrity failure.
  if (lastError instanceof KmsAccessError || lastError instanceof KeyNotFoundError) throw lastError;
  throw lastError ?? new IntegrityError();
}

function checkExpectations(header: EnvelopeHeader, wrapped: WrappedKey[], expect: OpenExpectations | undefined): void {
  if (!expect) return;
  if (expect.keyIds && !wrapped.some(w => matchesAny(w.keyId, expect.keyIds!))) {
    throw new ExpectationError(`not wrapped under any of ${expect.keyIds.join(', ')}`);
  }
  for (const [key, value] of Object.entries(expect.encryptionContext ?? {})) {
    if (header.encryptionContext[key] !== value) throw new ExpectationError(`encryption context ${key} is not the expected value`);
  }
}

/** `mrk-...` ids match in any region; ARNs and ids compare as the key part. */
function matchesAny(wrappedArn: string, keyIds: string[]): boolean {
  const id = wrappedArn.split(':key/')[1] ?? wrappedArn;
  return keyIds.some(k => k === wrappedArn || k === id || (k.split(':key/')[1] ?? k) === id);
}
