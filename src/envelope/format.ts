/**
 * The envelope format, version 1. One encoder/decoder pair; every length is a named constant.
 *
 * An envelope is a header, a wrapped-keys section and a body:
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 1 | version (`0x01`) |
 * | 1 | 1 | suite (`0x01`: AES-256-GCM, HKDF-SHA512, key commitment) |
 * | 2 | 16 | message id (random) |
 * | 18 | 4 | frame size in bytes (uint32 BE, 1 KiB to 16 MiB inclusive) |
 * | 22 | 2 | encryption context length n (uint16 BE, at most 8 KiB inclusive; the empty context is `00 00`, n = 2) |
 * | 24 | n | encryption context: pair count (uint16), then per pair, sorted by the key's UTF-8 bytes: key length (uint16), key, value length (uint16), value (UTF-8) |
 * | 24+n | 32 | key commitment |
 * | 56+n | 2 | wrapped key count k (uint16 BE) |
 * | 58+n | ... | k times: key id length (uint16), key id (the KMS key ARN, UTF-8), ciphertext length (uint16), KMS ciphertext blob |
 * | ... | ... | frames |
 *
 * Bytes 0 to 56+n are the header: every frame's AAD includes them, so changing any header byte fails every
 * frame. The wrapped keys are outside the AAD on purpose (DESIGN.md): a rewrap replaces them through KMS ReEncrypt
 * alone, and the key commitment (derived from the data key) makes a swapped wrapped key fail before any plaintext.
 *
 * A frame is: sequence number (uint32 BE, from 1; the high bit marks the final frame), then the AES-256-GCM
 * ciphertext of exactly `frame size` bytes (or, in the final frame only, 0 to `frame size` bytes, preceded by its
 * length as uint32 BE), then the 16-byte tag. The IV is 8 zero bytes then the sequence word: unique per frame
 * under a key unique per message. The AAD is the header, the sequence word and the frame's plaintext length (the
 * frame size for non-final frames). The final frame makes truncation detectable. Writers put a plaintext whose
 * length is a multiple of the frame size in full frames, the last of them final; readers also accept full
 * non-final frames followed by an empty final frame. docs/envelope-format.md pins all of this, with vectors.
 * @module
 */
import { allocForOverwrite, compareBytes, fromUtf8, utf8 } from './bytes';
import { MalformedEnvelopeError, UnsupportedFormatError } from './errors';

export const VERSION = 0x01;
export const SUITE_AES256_GCM_HKDF_SHA512_COMMIT = 0x01;
/**
 * A data-key envelope (data-key-envelope.ts): the value is the data key itself, so there is no body and no
 * commitment (32 zero bytes); KMS alone authenticates the wrapped key and the context it is bound to.
 */
export const SUITE_DATA_KEY = 0x02;
export const MESSAGE_ID_BYTES = 16;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
export const IV_BYTES = 12;
export const SEQUENCE_BYTES = 4;
export const FINAL_FRAME_FLAG = 0x80000000;
export const MIN_FRAME_SIZE = 1024;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
/** A buffered seal's frame: the ESDK's fairest size, and any size costs a buffered open the same memory (all of it). */
export const DEFAULT_FRAME_SIZE = 64 * 1024;
/**
 * A streamed seal's frame (the library's streams; the CLI keeps 64 KiB, src/cli/fd-seal.ts says why). Every frame
 * is a new AES-GCM cipher (node:crypto cannot give one a new IV), about 5 µs each, which at 64 KiB was a fifth of a
 * stream's cost; at 256 KiB a stream runs within a few percent of one cipher stream, and a reader holds at most
 * 256 KiB of unverified frame, as Tink's streaming AEAD holds a 1 MiB segment. A sealer that needs smaller frames (a
 * reader with little memory) passes them.
 */
export const DEFAULT_STREAM_FRAME_SIZE = 256 * 1024;
/** Encryption context limits (KMS itself accepts 8 KiB of context). */
export const MAX_CONTEXT_BYTES = 8192;
/** Keys starting with this are reserved for the library's own context entries. */
export const RESERVED_CONTEXT_PREFIX = 'guarded-keys:';
export const MAX_WRAPPED_KEYS_IN_FORMAT = 0xffff;

/** The largest value of a u16 length field. */
const U16_MAX = 0xffff;

/** The authenticated header. */
export interface EnvelopeHeader {
  readonly version: number;
  readonly suite: number;
  readonly messageId: Uint8Array;
  readonly frameSize: number;
  readonly encryptionContext: Record<string, string>;
  readonly commitment: Uint8Array;
}

/** A data key wrapped by one KMS key. */
export interface WrappedKey {
  /** The KMS key ARN that wrapped it (as KMS reported it). */
  readonly keyId: string;
  readonly ciphertext: Uint8Array;
}

/** A parsed envelope: header, its exact bytes (for AADs), wrapped keys, and where the body starts. */
export interface ParsedEnvelope {
  readonly header: EnvelopeHeader;
  readonly headerBytes: Uint8Array;
  readonly wrappedKeys: WrappedKey[];
  /** Offset of the first frame in the envelope. */
  readonly bodyOffset: number;
}

/**
 * Canonical encryption-context bytes: the pair count, then each pair as length-prefixed UTF-8, sorted by the key's
 * UTF-8 bytes (unsigned, byte by byte, a prefix first): a byte format sorts bytes, not UTF-16 code units, so a
 * reader in any language sorts the same way. An empty context is the two bytes `00 00` (never zero bytes).
 */
export function encodeContext(context: Record<string, string>): Uint8Array {
  const keys = Object.keys(context);
  if (keys.length === 0) return new Uint8Array(2); // the pair count 0
  const pairs = keys.map(key => ({ k: utf8(key), v: utf8(context[key]) }));
  pairs.sort((a, b) => compareBytes(a.k, b.k));
  const length = pairs.reduce((n, { k, v }) => n + 4 + k.length + v.length, 2);
  if (length > MAX_CONTEXT_BYTES) throw new RangeError(`encryptionContext: at most ${MAX_CONTEXT_BYTES} bytes encoded, got ${length}`);
  const encoded = new Uint8Array(length);
  const writer = new Writer(encoded);
  writer.u16(pairs.length);
  for (const { k, v } of pairs) writer.u16(k.length).bytes(k).u16(v.length).bytes(v);
  return encoded;
}

/** The header's bytes (version to commitment). */
export function encodeHeader(header: EnvelopeHeader, context = encodeContext(header.encryptionContext)): Uint8Array {
  const out = new Uint8Array(headerLength(header, context));
  writeHeader(new Writer(out), header, context);
  return out;
}

/** The wrapped-keys section. */
export function encodeWrappedKeys(keys: WrappedKey[]): Uint8Array {
  const ids = keyIdBytes(keys);
  const out = new Uint8Array(wrappedKeysLength(keys, ids));
  writeWrappedKeys(new Writer(out), keys, ids);
  return out;
}

/** Where {@link encodePreamble} wrote the parts of the preamble. */
export interface EncodedPreamble {
  /** The header, the wrapped keys, then `room` bytes for the caller to fill. */
  readonly bytes: Uint8Array;
  /** The header's bytes (a view into `bytes`): every frame's AAD. */
  readonly headerBytes: Uint8Array;
  /** The header and wrapped keys (a view into `bytes`). */
  readonly preamble: Uint8Array;
}

/**
 * The header and the wrapped keys written into one new buffer, with `room` bytes after them that the caller
 * overwrites (the body, for a buffered seal): one allocation per message instead of one per field and a
 * concatenation per section, which was a tenth of a 1 KiB seal. The same bytes as {@link encodeHeader} then
 * {@link encodeWrappedKeys}. `alloc` gives the buffer (of exactly the length asked for): a new one by default.
 */
export function encodePreamble(
  header: EnvelopeHeader, keys: WrappedKey[], room = 0, context = encodeContext(header.encryptionContext),
  alloc: (byteLength: number) => Uint8Array = allocForOverwrite,
): EncodedPreamble {
  const ids = keyIdBytes(keys);
  const headerBytes = headerLength(header, context);
  const preambleBytes = headerBytes + wrappedKeysLength(keys, ids);
  // Every byte is written: the preamble below, the room by the caller (who wipes it if it fails half-way). `alloc`
  // is called last, once nothing can be refused any more (a caller's `output` buffer, for a seal into it).
  const bytes = alloc(preambleBytes + room);
  const writer = new Writer(bytes);
  writeHeader(writer, header, context);
  writeWrappedKeys(writer, keys, ids);
  return { bytes, headerBytes: bytes.subarray(0, headerBytes), preamble: bytes.subarray(0, preambleBytes) };
}

function headerLength(header: EnvelopeHeader, context: Uint8Array): number {
  return 2 + header.messageId.length + 4 + 2 + context.length + header.commitment.length;
}

function writeHeader(writer: Writer, header: EnvelopeHeader, context: Uint8Array): void {
  writer.u8(header.version).u8(header.suite).bytes(header.messageId).u32(header.frameSize);
  writer.u16(context.length).bytes(context).bytes(header.commitment);
}

function keyIdBytes(keys: WrappedKey[]): Uint8Array[] {
  if (keys.length === 0 || keys.length > MAX_WRAPPED_KEYS_IN_FORMAT) throw new RangeError(`wrappedKeys: expected 1 to ${MAX_WRAPPED_KEYS_IN_FORMAT}, got ${keys.length}`);
  return keys.map((key, i) => {
    // Both lengths are u16 fields: a longer key id or blob (from a KMS stand-in, never from KMS) would be written
    // with a wrapped-around length, an envelope nobody could open. Refused before anything is written.
    const id = utf8(key.keyId);
    if (id.length > U16_MAX) throw new RangeError(`wrappedKeys[${i}].keyId: at most ${U16_MAX} bytes in UTF-8, got ${id.length}`);
    if (key.ciphertext.length > U16_MAX) throw new RangeError(`wrappedKeys[${i}].ciphertext: at most ${U16_MAX} bytes, got ${key.ciphertext.length}`);
    return id;
  });
}

function wrappedKeysLength(keys: WrappedKey[], ids: Uint8Array[]): number {
  return keys.reduce((n, key, i) => n + 4 + ids[i].length + key.ciphertext.length, 2);
}

function writeWrappedKeys(writer: Writer, keys: WrappedKey[], ids: Uint8Array[]): void {
  writer.u16(keys.length);
  keys.forEach((key, i) => writer.u16(ids[i].length).bytes(ids[i]).u16(key.ciphertext.length).bytes(key.ciphertext));
}

/** A cursor writing big-endian fields into a buffer sized for them beforehand (the encoders' one writer). */
class Writer {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly out: Uint8Array) {
    this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }

  public u8(n: number): this {
    this.view.setUint8(this.offset++, n);
    return this;
  }

  public u16(n: number): this {
    // DataView wraps out-of-range values around silently; the encoders check lengths first, this is the backstop.
    if (n > U16_MAX) throw new RangeError(`a u16 field cannot hold ${n}`);
    this.view.setUint16(this.offset, n);
    this.offset += 2;
    return this;
  }

  public u32(n: number): this {
    this.view.setUint32(this.offset, n);
    this.offset += 4;
    return this;
  }

  public bytes(b: Uint8Array): this {
    this.out.set(b, this.offset);
    this.offset += b.length;
    return this;
  }
}

/** Bytes from the version to the context length: enough to check the fixed fields and find the header's end. */
export const FIXED_HEADER_BYTES = 24;

interface FixedHeader { version: number; suite: number; messageId: Uint8Array; frameSize: number; contextLength: number }

/** Reads and checks version, suite, message id, frame size and context length. */
function readFixedHeader(reader: Reader): FixedHeader {
  const version = reader.u8('version');
  if (version !== VERSION) throw new UnsupportedFormatError(`version ${version} (this library reads version ${VERSION})`);
  const suite = reader.u8('suite');
  if (suite !== SUITE_AES256_GCM_HKDF_SHA512_COMMIT && suite !== SUITE_DATA_KEY) throw new UnsupportedFormatError(`suite ${suite}`);
  const messageId = reader.bytes(MESSAGE_ID_BYTES, 'message id');
  const frameSize = reader.u32('frame size');
  if (frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) throw new MalformedEnvelopeError(`frame size ${frameSize} outside ${MIN_FRAME_SIZE}..${MAX_FRAME_SIZE}`);
  const contextLength = reader.u16('context length');
  if (contextLength > MAX_CONTEXT_BYTES) throw new MalformedEnvelopeError(`context of ${contextLength} bytes`);
  return { version, suite, messageId, frameSize, contextLength };
}

/** Parses the header and wrapped keys; the body is left to the frame reader. */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  const reader = new Reader(bytes);
  const { version, suite, messageId, frameSize, contextLength } = readFixedHeader(reader);
  const encryptionContext = decodeContext(reader.bytes(contextLength, 'encryption context'));
  const commitment = reader.bytes(COMMITMENT_BYTES, 'commitment');
  const headerBytes = bytes.subarray(0, reader.offset);
  const count = reader.u16('wrapped key count');
  if (count === 0) throw new MalformedEnvelopeError('no wrapped key');
  const wrappedKeys: WrappedKey[] = [];
  for (let i = 0; i < count; i++) {
    const keyId = decodeUtf8(reader.bytes(reader.u16('key id length'), 'key id'), 'key id');
    wrappedKeys.push({ keyId, ciphertext: reader.bytes(reader.u16('wrapped key length'), 'wrapped key') });
  }
  return {
    header: { version, suite, messageId, frameSize, encryptionContext, commitment },
    headerBytes,
    wrappedKeys,
    bodyOffset: reader.offset,
  };
}

/**
 * Finds where the preamble (header and wrapped keys) ends from its length fields, as its bytes arrive. Each field
 * is read once however the bytes are chunked: a streamed reader that re-parsed from the start after every chunk
 * would do work quadratic in the preamble. The fixed fields are checked as soon as they are in, so bytes that
 * are not an envelope fail at once; the rest is checked by {@link parseEnvelope} once the preamble is complete.
 */
export class PreambleScanner {
  /** How many bytes of the envelope the scan needs next: the whole preamble's length once `done`. */
  public needed = FIXED_HEADER_BYTES;
  public done = false;
  /** The wrapped-key count, once read. */
  public wrappedKeyCount: number | undefined;
  private stage: 'fixed' | 'count' | 'keyId' | 'blob' | 'end' = 'fixed';
  private remaining = 0;

  /** Advances over `prefix` (the first bytes of the envelope, at least as many as last time); true when done. */
  public advance(prefix: Uint8Array): boolean {
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    while (!this.done && prefix.length >= this.needed) {
      if (this.stage === 'fixed') {
        const { contextLength } = readFixedHeader(new Reader(prefix.subarray(0, FIXED_HEADER_BYTES)));
        this.needed = FIXED_HEADER_BYTES + contextLength + COMMITMENT_BYTES + 2;
        this.stage = 'count';
      } else if (this.stage === 'count') {
        const count = view.getUint16(this.needed - 2);
        if (count === 0) throw new MalformedEnvelopeError('no wrapped key');
        this.wrappedKeyCount = this.remaining = count;
        this.needed += 2;
        this.stage = 'keyId';
      } else if (this.stage === 'keyId') {
        this.needed += view.getUint16(this.needed - 2) + 2;
        this.stage = 'blob';
      } else if (this.stage === 'blob') {
        this.needed += view.getUint16(this.needed - 2);
        if (--this.remaining > 0) this.needed += 2; // and the next key id's length
        this.stage = this.remaining > 0 ? 'keyId' : 'end';
      } else {
        this.done = true; // the last blob is in
      }
    }
    return this.done;
  }
}

function decodeContext(bytes: Uint8Array): Record<string, string> {
  const reader = new Reader(bytes);
  const count = reader.u16('context pair count');
  const pairs: Array<[string, string]> = [];
  let previous: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const keyBytes = reader.bytes(reader.u16('context key length'), 'context key');
    const key = decodeUtf8(keyBytes, 'context key');
    const value = decodeUtf8(reader.bytes(reader.u16('context value length'), 'context value'), 'context value');
    if (previous !== undefined && compareBytes(previous, keyBytes) >= 0) {
      throw new MalformedEnvelopeError('encryption context keys are not sorted by UTF-8 bytes and unique');
    }
    pairs.push([key, value]);
    previous = keyBytes;
  }
  if (reader.offset !== bytes.length) throw new MalformedEnvelopeError('trailing bytes in the encryption context');
  // fromEntries defines own properties, so a key such as `__proto__` is a key like any other (an assignment would
  // set the prototype and drop the pair).
  return Object.fromEntries(pairs);
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return fromUtf8(bytes);
  } catch {
    throw new MalformedEnvelopeError(`${what} is not UTF-8`);
  }
}

/** The IV of a frame: 8 zero bytes, then the sequence word (with the final flag). */
export function frameIv(sequenceWord: number): Uint8Array {
  const iv = new Uint8Array(IV_BYTES);
  writeU32(iv, 8, sequenceWord);
  return iv;
}

/**
 * A uint32 big-endian, byte by byte: a DataView per small array costs more than the array (per frame, per message).
 * A Uint8Array element stores its value truncated modulo 256, so `n / 2^k` stores byte k/8 of a non-negative n.
 */
function writeU32(out: Uint8Array, offset: number, n: number): void {
  out[offset] = n / 0x1000000;
  out[offset + 1] = n / 0x10000;
  out[offset + 2] = n / 0x100;
  out[offset + 3] = n;
}

/**
 * A frame's AAD: the header, then the sequence word (with the final flag) and the frame's plaintext length as
 * u32, for every frame: a non-final frame's length is the frame size.
 */
export function frameAad(headerBytes: Uint8Array, sequenceWord: number, length: number): Uint8Array {
  const aad = new Uint8Array(headerBytes.length + 8);
  aad.set(headerBytes, 0);
  writeU32(aad, headerBytes.length, sequenceWord);
  writeU32(aad, headerBytes.length + 4, length);
  return aad;
}

/**
 * Rewrites the IV and AAD of one frame ({@link frameIv}, {@link frameAad}) for another frame of the same message,
 * so a loop over a message's frames allocates them once, not per frame (nor copies the header into each AAD). Only
 * where they go to a backend that reads them before it returns, as every CipherBackend call does (backends.ts).
 */
export function reuseFrameNonces(iv: Uint8Array, aad: Uint8Array, sequenceWord: number, length: number): void {
  writeU32(iv, 8, sequenceWord);
  writeU32(aad, aad.length - 8, sequenceWord);
  writeU32(aad, aad.length - 4, length);
}

export function u16(n: number): Uint8Array {
  if (n > U16_MAX) throw new RangeError(`a u16 field cannot hold ${n}`);
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n);
  return b;
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** A bounds-checked cursor: reading past the end is a MalformedEnvelopeError naming the field. */
export class Reader {
  public offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  public remaining(): number {
    return this.data.length - this.offset;
  }

  public u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  public u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  public u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  public bytes(length: number, what: string): Uint8Array {
    this.need(length, what);
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  private need(length: number, what: string): void {
    if (this.offset + length > this.data.length) throw new MalformedEnvelopeError(`truncated in ${what}`);
  }
}
