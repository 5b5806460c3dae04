import { CipherBackend, nodeBackend } from './backends';
import { abytes, allocForOverwrite, anumber, concat, isWellFormed, wipe } from './bytes';
import { DataKeyCache } from './cache';
import {
  DEFAULT_FRAME_SIZE, EnvelopeHeader, encodeHeader, encodeWrappedKeys, MAX_FRAME_SIZE, MESSAGE_ID_BYTES, MIN_FRAME_SIZE,
  RESERVED_CONTEXT_PREFIX, SUITE_AES256_GCM_HKDF_SHA512_COMMIT, VERSION, encodeContext,
} from './format';
import { bodyLength, deriveMessageKeys, sealBodyInto } from './frames';
import { GeneratedDataKey, generateWrappedDataKey, KmsLike } from './kms';

/** How to seal. */
export interface SealOptions {
  /** KMS keys to wrap the data key under (key ids, ARNs or aliases); the first generates it. */
  readonly keyIds: string[];
  /** Non-secret context bound to the message by KMS and by every frame. */
  readonly encryptionContext?: Record<string, string>;
  readonly kms: KmsLike;
  /** Plaintext bytes per frame (1 KiB to 16 MiB). Default 64 KiB. */
  readonly frameSize?: number;
  /**
   * Reuse data keys within limits instead of calling KMS for every message (see {@link DataKeyCache} for what a
   * hit means). A streamed seal uses it only when it declares its `plaintextLength`.
   * @default - no cache: one GenerateDataKey per message
   */
  readonly cache?: DataKeyCache;
  /** node:crypto (default) or @noble/ciphers. */
  readonly backend?: CipherBackend;
}

/** Validated seal parameters, shared by the buffered and streamed forms. */
export interface PreparedSeal {
  readonly headerBytes: Uint8Array;
  readonly preamble: Uint8Array;
  readonly encryptionKey: Uint8Array;
  readonly frameSize: number;
  readonly backend: CipherBackend;
}

/**
 * Seals a plaintext: a data key from KMS (or the cache), per-message keys from HKDF, AES-256-GCM frames.
 * @returns the envelope bytes
 * @throws {@link TypeError} / {@link RangeError} for bad arguments; KmsAccessError / KeyNotFoundError from KMS
 */
export async function seal(plaintext: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  abytes(plaintext, 'plaintext');
  const prepared = await prepareSeal(options, plaintext.length);
  try {
    // Every byte is written below: the preamble, then each frame's header, ciphertext and tag.
    const out = allocForOverwrite(prepared.preamble.length + bodyLength(plaintext.length, prepared.frameSize));
    out.set(prepared.preamble, 0);
    sealBodyInto(prepared.backend, prepared.encryptionKey, prepared.headerBytes, prepared.frameSize, plaintext, out, prepared.preamble.length);
    return out;
  } finally {
    wipe(prepared.encryptionKey);
  }
}

/**
 * Everything before the body, and the key to encrypt it with (wipe it when done). `plaintextLength` is what the
 * message is charged against a cache's `maxBytes`; when it is unknown (a stream of undeclared length) the cache is
 * not used at all, since a key whose byte budget cannot be charged must not be shared.
 */
export async function prepareSeal(options: SealOptions, plaintextLength?: number, randomness?: { messageId?: Uint8Array }): Promise<PreparedSeal> {
  const backend = options.backend ?? nodeBackend;
  const context = validateContext(options.encryptionContext ?? {});
  const frameSize = anumber(options.frameSize ?? DEFAULT_FRAME_SIZE, 'frameSize', MIN_FRAME_SIZE, MAX_FRAME_SIZE);
  if (!Array.isArray(options.keyIds) || options.keyIds.length === 0 || options.keyIds.some(k => typeof k !== 'string' || k.length === 0)) {
    throw new TypeError('keyIds: expected a non-empty list of KMS key ids, ARNs or aliases');
  }
  const { dataKey, wrapped } = await dataKeyFor(options, context, plaintextLength);
  try {
    const messageId = randomness?.messageId ?? backend.random(MESSAGE_ID_BYTES);
    const keys = deriveMessageKeys(backend, dataKey, messageId, SUITE_AES256_GCM_HKDF_SHA512_COMMIT);
    const header: EnvelopeHeader = {
      version: VERSION, suite: SUITE_AES256_GCM_HKDF_SHA512_COMMIT, messageId, frameSize, encryptionContext: context, commitment: keys.commitment,
    };
    const headerBytes = encodeHeader(header);
    return { headerBytes, preamble: concat([headerBytes, encodeWrappedKeys(wrapped)]), encryptionKey: keys.encryptionKey, frameSize, backend };
  } finally {
    // Always ours: the cache hands out and keeps copies, never its own buffer.
    wipe(dataKey);
  }
}

/**
 * A data key this seal owns: a copy from the cache (charged one message of `bytes`), or a fresh one from KMS, of
 * which the cache keeps its own copy.
 */
async function dataKeyFor(options: SealOptions, context: Record<string, string>, bytes: number | undefined): Promise<GeneratedDataKey> {
  const cache = bytes === undefined ? undefined : options.cache;
  const cached = cache?.takeForSeal(options.kms, options.keyIds, context, bytes!);
  if (cached) return cached;
  const fresh = await generateWrappedDataKey(options.kms, options.keyIds, context);
  cache?.storeForSeal(options.kms, options.keyIds, context, fresh.dataKey, fresh.wrapped, bytes!);
  return fresh;
}

/**
 * Context keys and values are well-formed strings (a lone surrogate has no UTF-8 form and would not come back);
 * keys are not empty and not under the reserved prefix, which belongs to the library. Open is more lenient: it
 * accepts any context that decodes (see docs/envelope-format.md, "What seal enforces and open does not").
 * @returns a copy with own properties only (a key such as `__proto__` stays a key)
 */
export function validateContext(context: Record<string, string>): Record<string, string> {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new TypeError('encryptionContext: expected an object of strings');
  const entries = Object.entries(context);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new TypeError(`encryptionContext.${key}: expected a string, got ${typeof value}`);
    if (key.length === 0) throw new RangeError('encryptionContext: keys must not be empty');
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) throw new RangeError(`encryptionContext: keys starting with '${RESERVED_CONTEXT_PREFIX}' are reserved`);
    if (!isWellFormed(key) || !isWellFormed(value)) throw new RangeError(`encryptionContext: ${JSON.stringify(key)} has a lone surrogate, which UTF-8 cannot encode`);
  }
  const copy = Object.fromEntries(entries);
  encodeContext(copy); // enforces the size limit
  return copy;
}
