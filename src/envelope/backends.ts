import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'crypto';
import type * as NobleAes from '@noble/ciphers/aes';
import type * as NobleCipherUtils from '@noble/ciphers/utils';
import type * as NobleHkdf from '@noble/hashes/hkdf';
import type * as NobleSha512 from '@noble/hashes/sha512';
import type * as NobleHashUtils from '@noble/hashes/utils';

/**
 * The primitives the envelope needs. node:crypto (OpenSSL, AES-NI) is the fast path in Node and Lambda;
 * @noble/ciphers with @noble/hashes is the portable path (browsers, workers) and an independent implementation the
 * tests cross-check byte for byte. The `iv` and `aad` a method is handed are the caller's for that call only: a
 * message's frames share one of each, rewritten for the next frame (see reuseFrameNonces in format.ts), so a backend
 * reads them before it returns and keeps no reference to them.
 */
export interface CipherBackend {
  readonly name: string;
  /** HKDF-SHA512 (RFC 5869). */
  hkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM: ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** AES-256-GCM into `out` at `offset` (ciphertext then tag), sparing a copy on the hot path. Returns the bytes written. */
  sealInto?(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number;
  /** AES-256-GCM as two parts, ciphertext and tag, as the cipher produced them (no copy): for streams. */
  sealParts?(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): [Uint8Array, Uint8Array];
  /**
   * AES-256-GCM open into `out` at `offset`, sparing the buffered open its final concatenation. Returns false when
   * the tag does not verify (the bytes written are then zeroed).
   */
  openInto?(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array, out: Uint8Array, offset: number): boolean;
  /** AES-256-GCM open; undefined when the tag does not verify (the caller raises the one integrity error). */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  /** Constant-time equality. */
  equal(a: Uint8Array, b: Uint8Array): boolean;
  random(length: number): Uint8Array;
}

const TAG = 16;
const SHA512_BYTES = 64;

/**
 * HKDF-SHA512 (RFC 5869) written as its HMACs: extract PRK = HMAC(salt, IKM), then expand T(i) = HMAC(PRK, T(i-1) |
 * info | i). The envelope asks for exactly one block (64 bytes), which is two HMACs; `hkdfSync` costs about twice
 * as much at this size (its generic EVP_PKEY setup). Byte-identical to `hkdfSync` (tests cross-check both, and the
 * committed vectors).
 */
function hmacHkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * SHA512_BYTES) throw new RangeError(`hkdf: length must be at most ${255 * SHA512_BYTES}, got ${length}`);
  // RFC 5869 2.2: an absent salt is HashLen zeros (HMAC pads a short key with zeros, so an empty one is the same).
  const prk = createHmac('sha512', salt).update(ikm).digest();
  if (length <= SHA512_BYTES) {
    // One block, T(1) = HMAC(PRK, info | 0x01), the envelope's case: one update call (each costs a native call).
    const input = new Uint8Array(info.length + 1);
    input.set(info);
    input[info.length] = 1;
    let block: Buffer;
    try {
      block = createHmac('sha512', prk).update(input).digest();
    } finally {
      prk.fill(0);
    }
    // A whole block (the envelope's 64 bytes) is returned as it is: a buffer only the caller holds, which it wipes as
    // it would a copy, and one allocation fewer per message. A shorter length is copied, so that the rest of the block
    // is wiped here rather than left behind the caller's view.
    if (length === SHA512_BYTES) return block;
    try {
      return new Uint8Array(block.subarray(0, length));
    } finally {
      block.fill(0);
    }
  }
  const okm = new Uint8Array(length);
  let previous: Buffer | undefined;
  const counter = new Uint8Array(1);
  try {
    for (let i = 0, offset = 0; offset < length; i++, offset += SHA512_BYTES) {
      counter[0] = i + 1;
      const mac = createHmac('sha512', prk);
      if (previous) mac.update(previous);
      const block: Buffer = mac.update(info).update(counter).digest();
      previous?.fill(0);
      previous = block;
      okm.set(block.subarray(0, Math.min(SHA512_BYTES, length - offset)), offset);
    }
  } finally {
    prk.fill(0);
    previous?.fill(0);
  }
  return okm;
}

/**
 * Random bytes drawn from a pool filled 4 KiB at a time: one system call per 256 message ids instead of one per
 * id (`randomBytes(16)` costs about 1.8 µs; a slice of the pool, 0.05 µs). Only public values (message ids) are
 * drawn here; the data keys come from KMS. Each draw is a copy, and the pool's used bytes are zeroed.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

export function pooledRandom(length: number): Uint8Array {
  if (length > POOL_BYTES / 4) return randomFillSync(new Uint8Array(length));
  if (poolOffset + length > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

export const nodeBackend: CipherBackend = {
  name: 'node:crypto',
  hkdfSha512: hmacHkdfSha512,
  seal(key, iv, aad, plaintext) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const out = new Uint8Array(plaintext.length + TAG);
    out.set(cipher.update(plaintext), 0);
    cipher.final();
    out.set(cipher.getAuthTag(), plaintext.length);
    return out;
  },
  sealInto(key, iv, aad, plaintext, out, offset) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    out.set(body, offset);
    cipher.final();
    out.set(cipher.getAuthTag(), offset + body.length);
    return body.length + TAG;
  },
  sealParts(key, iv, aad, plaintext) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    cipher.final();
    const tag = cipher.getAuthTag();
    return [new Uint8Array(body.buffer, body.byteOffset, body.length), new Uint8Array(tag.buffer, tag.byteOffset, tag.length)];
  },
  openInto(key, iv, aad, sealed, out, offset) {
    if (sealed.length < TAG) return false;
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plain = decipher.update(sealed.subarray(0, sealed.length - TAG));
    out.set(plain, offset);
    try {
      decipher.final();
    } catch {
      plain.fill(0);
      out.fill(0, offset, offset + plain.length);
      return false;
    }
    return true;
  },
  open(key, iv, aad, sealed) {
    if (sealed.length < TAG) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    const out = decipher.update(sealed.subarray(0, sealed.length - TAG));
    try {
      decipher.final();
    } catch {
      out.fill(0);
      return undefined;
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  },
  equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
  random: pooledRandom,
};

interface NobleLibrary {
  readonly gcm: typeof NobleAes.gcm;
  readonly equalBytes: typeof NobleCipherUtils.equalBytes;
  readonly hkdf: typeof NobleHkdf.hkdf;
  readonly sha512: typeof NobleSha512.sha512;
  readonly randomBytes: typeof NobleHashUtils.randomBytes;
}
let noble: NobleLibrary | undefined;

/**
 * @noble/ciphers and @noble/hashes, loaded on first use: most processes only ever use node:crypto, and loading
 * them cost about 6.5 ms at start-up.
 */
function nobleLibrary(): NobleLibrary {
  /* eslint-disable @typescript-eslint/no-require-imports */
  noble ??= {
    gcm: (require('@noble/ciphers/aes') as typeof NobleAes).gcm,
    equalBytes: (require('@noble/ciphers/utils') as typeof NobleCipherUtils).equalBytes,
    hkdf: (require('@noble/hashes/hkdf') as typeof NobleHkdf).hkdf,
    sha512: (require('@noble/hashes/sha512') as typeof NobleSha512).sha512,
    randomBytes: (require('@noble/hashes/utils') as typeof NobleHashUtils).randomBytes,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return noble;
}

export const nobleBackend: CipherBackend = {
  name: '@noble/ciphers',
  hkdfSha512: (ikm, salt, info, length) => nobleLibrary().hkdf(nobleLibrary().sha512, ikm, salt, info, length),
  seal: (key, iv, aad, plaintext) => nobleLibrary().gcm(key, iv, aad).encrypt(plaintext),
  open(key, iv, aad, sealed) {
    try {
      return nobleLibrary().gcm(key, iv, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  equal: (a, b) => nobleLibrary().equalBytes(a, b),
  random: length => nobleLibrary().randomBytes(length),
};
