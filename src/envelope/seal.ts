import { CipherBackend, nodeBackend } from './backends';
import { abytes, anumber, isWellFormed, wipe } from './bytes';
import { DataKeyCache } from './cache';
import {
  DEFAULT_FRAME_SIZE, EnvelopeHeader, encodePreamble, MAX_FRAME_SIZE, MESSAGE_ID_BYTES, MIN_FRAME_SIZE,
  RESERVED_CONTEXT_PREFIX, SUITE_AES256_GCM_HKDF_SHA512_COMMIT, VERSION, encodeContext,
} from './format';
import { bodyLength, deriveMessageKeys, sealBodyInto } from './frames';
import { GeneratedDataKey, generateWrappedDataKey, EnvelopeKms } from './kms';
import { callOutput, checkOutputOption, OutputBuffer } from './output-buffer';

/** How to seal. */
export interface SealOptions {
  /** KMS keys to wrap the data key under (key ids, ARNs or aliases); the first generates it. */
  readonly keyIds: string[];
  /** Non-secret context bound to the message by KMS and by every frame. */
  readonly encryptionContext?: Record<string, string>;
  readonly kms: EnvelopeKms;
  /**
   * Plaintext bytes per frame (1 KiB to 16 MiB).
   * @default 65536 (64 KiB); a stream's is 262144 (256 KiB): see `DEFAULT_STREAM_FRAME_SIZE`
   */
  readonly frameSize?: number;
  /**
   * Reuse data keys within limits instead of calling KMS for every message (see {@link DataKeyCache} for what a
   * hit means). A streamed seal uses it only when it declares its `plaintextLength`.
   * @default - no cache: one GenerateDataKey per message
   */
  readonly cache?: DataKeyCache;
  /** node:crypto (default) or @noble/ciphers. */
  readonly backend?: CipherBackend;
  /**
   * Where to write the envelope: called once, when its length is known (after KMS answered, since the wrapped
   * key's size is KMS's), it returns a Uint8Array of exactly `byteLength` bytes, typically `reused.subarray(0, n)`;
   * the seal returns that view. Refused (TypeError / RangeError naming `output`) when it is not a Uint8Array, has
   * another length, is backed by a SharedArrayBuffer or overlaps the plaintext. If the seal fails after the call,
   * what it wrote there is zeroed. Buffered seals only: the streamed forms refuse it.
   * @default - a new buffer per envelope
   */
  readonly output?: OutputBuffer;
}

/** Validated seal parameters, shared by the buffered and streamed forms. */
export interface PreparedSeal {
  readonly headerBytes: Uint8Array;
  readonly preamble: Uint8Array;
  /** The preamble followed by the room asked for (the body of a buffered seal); `preamble` is a view of it. */
  readonly message: Uint8Array;
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
  const output = checkOutputOption(options.output);
  // The caller's buffer, once its function returned one that passed the checks: from then on, what is written
  // there is wiped on any failure (also one of the preamble's own, after the buffer was asked for).
  let given: Uint8Array | undefined;
  const alloc = output && ((n: number) => (given = callOutput(output, n, plaintext, 'plaintext')));
  let prepared: PreparedSeal;
  try {
    prepared = await prepareSeal(options, plaintext.length, undefined, bodyLength, alloc);
  } catch (err) {
    wipe(given);
    throw err;
  }
  try {
    // The preamble is written; every other byte is written below: each frame's header, ciphertext and tag.
    const { backend, encryptionKey, headerBytes, frameSize, message, preamble } = prepared;
    sealBodyInto(backend, encryptionKey, headerBytes, frameSize, plaintext, message, preamble.length);
    return prepared.message;
  } catch (err) {
    // Ours, or the caller's `output`: either way no partly sealed message is left behind.
    wipe(prepared.message);
    throw err;
  } finally {
    wipe(prepared.encryptionKey);
  }
}

/**
 * Everything before the body, and the key to encrypt it with (wipe it when done). `plaintextLength` is what the
 * message is charged against a cache's `maxBytes`; when it is unknown (a stream of undeclared length) the cache is
 * not used at all, since a key whose byte budget cannot be charged must not be shared. `room`, given the plaintext
 * length and frame size, is how many bytes `message` keeps after the preamble for the caller to fill (a buffered
 * seal's body, so the whole envelope is one allocation); none by default. `alloc` gives `message`'s buffer (a
 * caller's `output`); a new one by default.
 */
export async function prepareSeal(
  options: SealOptions, plaintextLength?: number, randomness?: { messageId?: Uint8Array },
  room?: (plaintextLength: number, frameSize: number) => number, alloc?: (byteLength: number) => Uint8Array,
): Promise<PreparedSeal> {
  const backend = options.backend ?? nodeBackend;
  const { context, encoded } = validatedContext(options.encryptionContext ?? {});
  const frameSize = anumber(options.frameSize ?? DEFAULT_FRAME_SIZE, 'frameSize', MIN_FRAME_SIZE, MAX_FRAME_SIZE);
  if (!Array.isArray(options.keyIds) || options.keyIds.length === 0 || options.keyIds.some(k => typeof k !== 'string' || k.length === 0)) {
    throw new TypeError('keyIds: expected a non-empty list of KMS key ids, ARNs or aliases');
  }
  // A cache hit is taken without an `await`: one promise fewer on the hot path of small cached seals.
  const cache = plaintextLength === undefined ? undefined : options.cache;
  const { dataKey, wrapped } = cache?.takeForSeal(options.kms, options.keyIds, context, plaintextLength!, encoded)
    ?? await freshDataKey(options, context, encoded, cache, plaintextLength);
  try {
    const messageId = randomness?.messageId ?? backend.random(MESSAGE_ID_BYTES);
    const keys = deriveMessageKeys(backend, dataKey, messageId, SUITE_AES256_GCM_HKDF_SHA512_COMMIT);
    const header: EnvelopeHeader = {
      version: VERSION, suite: SUITE_AES256_GCM_HKDF_SHA512_COMMIT, messageId, frameSize, encryptionContext: context, commitment: keys.commitment,
    };
    try {
      const roomBytes = room && plaintextLength !== undefined ? room(plaintextLength, frameSize) : 0;
      const { bytes, headerBytes, preamble } = encodePreamble(header, wrapped, roomBytes, encoded, alloc);
      return { headerBytes, preamble, message: bytes, encryptionKey: keys.encryptionKey, frameSize, backend };
    } catch (err) {
      // The caller wipes the encryption key only once it has it: a preamble that cannot be written (a header over
      // its limit, a message too large to allocate) must not leave it behind.
      wipe(keys.encryptionKey);
      throw err;
    }
  } finally {
    // Always ours: the cache hands out and keeps copies, never its own buffer.
    wipe(dataKey);
  }
}

/**
 * A fresh data key from KMS, which this seal owns; the cache, if any, keeps its own copy (charged one message of
 * `bytes`). The data key of a cache hit is a copy this seal owns too (see prepareSeal).
 */
async function freshDataKey(
  options: SealOptions, context: Record<string, string>, encoded: Uint8Array, cache: DataKeyCache | undefined, bytes: number | undefined,
): Promise<GeneratedDataKey> {
  const fresh = await generateWrappedDataKey(options.kms, options.keyIds, context);
  cache?.storeForSeal(options.kms, options.keyIds, context, fresh.dataKey, fresh.wrapped, bytes!, encoded);
  return fresh;
}

/**
 * Context keys and values are well-formed strings (a lone surrogate has no UTF-8 form and would not come back);
 * keys are not empty and not under the reserved prefix, which belongs to the library. Open is more lenient: it
 * accepts any context that decodes (see docs/envelope-format.md, "What seal enforces and open does not").
 * @returns a copy with own properties only (a key such as `__proto__` stays a key)
 */
export function validateContext(context: Record<string, string>): Record<string, string> {
  return validatedContext(context).context;
}

/** {@link validateContext}, and the context's encoding (which the size check makes anyway), encoded once per seal. */
function validatedContext(context: Record<string, string>): { context: Record<string, string>; encoded: Uint8Array } {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new TypeError('encryptionContext: expected an object of strings');
  const entries = Object.entries(context);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new TypeError(`encryptionContext.${key}: expected a string, got ${typeof value}`);
    if (key.length === 0) throw new RangeError('encryptionContext: keys must not be empty');
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) throw new RangeError(`encryptionContext: keys starting with '${RESERVED_CONTEXT_PREFIX}' are reserved`);
    if (!isWellFormed(key) || !isWellFormed(value)) throw new RangeError(`encryptionContext: ${JSON.stringify(key)} has a lone surrogate, which UTF-8 cannot encode`);
  }
  const copy = Object.fromEntries(entries);
  return { context: copy, encoded: encodeContext(copy) }; // encoding enforces the size limit
}
