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
 * | 18 | 4 | frame size in bytes (uint32 BE, 1 KiB to 16 MiB) |
 * | 22 | 2 | encryption context length n (uint16 BE) |
 * | 24 | n | encryption context: pair count (uint16), then per pair sorted by key: key length (uint16), key, value length (uint16), value (UTF-8) |
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
 * under a key unique per message. The final frame makes truncation detectable.
 * @module
 */
import { concat, fromUtf8, utf8 } from './bytes';
import { MalformedEnvelopeError, UnsupportedFormatError } from './errors';

export const VERSION = 0x01;
export const SUITE_AES256_GCM_HKDF_SHA512_COMMIT = 0x01;
export const MESSAGE_ID_BYTES = 16;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
export const IV_BYTES = 12;
export const SEQUENCE_BYTES = 4;
export const FINAL_FRAME_FLAG = 0x80000000;
export const MIN_FRAME_SIZE = 1024;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
export const DEFAULT_FRAME_SIZE = 64 * 1024;
/** Encryption context limits (KMS itself accepts 8 KiB of context). */
export const MAX_CONTEXT_BYTES = 8192;
/** Keys starting with this are reserved for the library's own context entries. */
export const RESERVED_CONTEXT_PREFIX = 'guarded-keys:';
export const MAX_WRAPPED_KEYS_IN_FORMAT = 0xffff;

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

/** Canonical encryption-context bytes: sorted by key, length-prefixed. */
export function encodeContext(context: Record<string, string>): Uint8Array {
  const keys = Object.keys(context).sort();
  const parts: Uint8Array[] = [u16(keys.length)];
  for (const key of keys) {
    const k = utf8(key);
    const v = utf8(context[key]);
    parts.push(u16(k.length), k, u16(v.length), v);
  }
  const encoded = concat(parts);
  if (encoded.length > MAX_CONTEXT_BYTES) throw new RangeError(`encryptionContext: at most ${MAX_CONTEXT_BYTES} bytes encoded, got ${encoded.length}`);
  return encoded;
}

/** The header's bytes (version to commitment). */
export function encodeHeader(header: EnvelopeHeader): Uint8Array {
  const context = encodeContext(header.encryptionContext);
  return concat([
    new Uint8Array([header.version, header.suite]), header.messageId, u32(header.frameSize), u16(context.length), context, header.commitment,
  ]);
}

/** The wrapped-keys section. */
export function encodeWrappedKeys(keys: WrappedKey[]): Uint8Array {
  if (keys.length === 0 || keys.length > MAX_WRAPPED_KEYS_IN_FORMAT) throw new RangeError(`wrappedKeys: expected 1 to ${MAX_WRAPPED_KEYS_IN_FORMAT}, got ${keys.length}`);
  const parts: Uint8Array[] = [u16(keys.length)];
  for (const key of keys) {
    const id = utf8(key.keyId);
    parts.push(u16(id.length), id, u16(key.ciphertext.length), key.ciphertext);
  }
  return concat(parts);
}

/** Parses the header and wrapped keys; the body is left to the frame reader. */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  const reader = new Reader(bytes);
  const version = reader.u8('version');
  if (version !== VERSION) throw new UnsupportedFormatError(`version ${version} (this library reads version ${VERSION})`);
  const suite = reader.u8('suite');
  if (suite !== SUITE_AES256_GCM_HKDF_SHA512_COMMIT) throw new UnsupportedFormatError(`suite ${suite}`);
  const messageId = reader.bytes(MESSAGE_ID_BYTES, 'message id');
  const frameSize = reader.u32('frame size');
  if (frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE) throw new MalformedEnvelopeError(`frame size ${frameSize} outside ${MIN_FRAME_SIZE}..${MAX_FRAME_SIZE}`);
  const contextLength = reader.u16('context length');
  if (contextLength > MAX_CONTEXT_BYTES) throw new MalformedEnvelopeError(`context of ${contextLength} bytes`);
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

function decodeContext(bytes: Uint8Array): Record<string, string> {
  const reader = new Reader(bytes);
  const count = reader.u16('context pair count');
  const context: Record<string, string> = {};
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const key = decodeUtf8(reader.bytes(reader.u16('context key length'), 'context key'), 'context key');
    const value = decodeUtf8(reader.bytes(reader.u16('context value length'), 'context value'), 'context value');
    if (previous !== undefined && key <= previous) throw new MalformedEnvelopeError('encryption context keys are not sorted and unique');
    context[key] = value;
    previous = key;
  }
  if (reader.offset !== bytes.length) throw new MalformedEnvelopeError('trailing bytes in the encryption context');
  return context;
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
  new DataView(iv.buffer).setUint32(8, sequenceWord);
  return iv;
}

/** A frame's AAD: the header, then the sequence word and the plaintext length (final frames differ). */
export function frameAad(headerBytes: Uint8Array, sequenceWord: number, length: number): Uint8Array {
  const aad = new Uint8Array(headerBytes.length + 8);
  aad.set(headerBytes, 0);
  const view = new DataView(aad.buffer);
  view.setUint32(headerBytes.length, sequenceWord);
  view.setUint32(headerBytes.length + 4, length);
  return aad;
}

export function u16(n: number): Uint8Array {
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
