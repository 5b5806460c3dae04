import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'crypto';
import { gcm } from '@noble/ciphers/aes';
import { equalBytes } from '@noble/ciphers/utils';
import { hkdf } from '@noble/hashes/hkdf';
import { sha512 } from '@noble/hashes/sha512';
import { randomBytes as nobleRandom } from '@noble/hashes/utils';

/**
 * The primitives the envelope needs. node:crypto (OpenSSL, AES-NI) is the fast path in Node and Lambda;
 * @noble/ciphers with @noble/hashes is the portable path (browsers, workers) and an independent implementation the
 * tests cross-check byte for byte.
 */
export interface CipherBackend {
  readonly name: string;
  /** HKDF-SHA512 (RFC 5869). */
  hkdfSha512(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM: ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** AES-256-GCM into `out` at `offset` (ciphertext then tag), sparing a copy on the hot path. Returns the bytes written. */
  sealInto?(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number): number;
  /** AES-256-GCM open; undefined when the tag does not verify (the caller raises the one integrity error). */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  /** Constant-time equality. */
  equal(a: Uint8Array, b: Uint8Array): boolean;
  random(length: number): Uint8Array;
}

const TAG = 16;

export const nodeBackend: CipherBackend = {
  name: 'node:crypto',
  hkdfSha512: (ikm, salt, info, length) => new Uint8Array(hkdfSync('sha512', ikm, salt, info, length)),
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
  random: length => new Uint8Array(randomBytes(length)),
};

export const nobleBackend: CipherBackend = {
  name: '@noble/ciphers',
  hkdfSha512: (ikm, salt, info, length) => hkdf(sha512, ikm, salt, info, length),
  seal: (key, iv, aad, plaintext) => gcm(key, iv, aad).encrypt(plaintext),
  open(key, iv, aad, sealed) {
    try {
      return gcm(key, iv, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  equal: (a, b) => equalBytes(a, b),
  random: length => nobleRandom(length),
};
