/**
 * Small labelled validators in the noble style, and the one place that wipes key material.
 * @module
 */

/** Bytes of an optional exact length; a wrong type is a TypeError, a wrong length a RangeError. */
export function abytes(value: unknown, title: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${title}: expected Uint8Array, got ${value === null ? 'null' : typeof value}`);
  if (length !== undefined && value.length !== length) throw new RangeError(`${title}: expected ${length} bytes, got ${value.length}`);
  return value;
}

/** An integer in [min, max]. */
export function anumber(value: unknown, title: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${title}: expected an integer, got ${typeof value}`);
  if (value < min || value > max) throw new RangeError(`${title}: expected ${min} to ${max}, got ${value}`);
  return value;
}

/** Zeroes key material we own. Never called on a caller's buffer. */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0);
}

/**
 * A fresh buffer of its own (not a slice of a pool) without the zero-fill `new Uint8Array(n)` does: for a 64 MiB
 * message that fill is a whole extra pass over memory. Only for buffers whose every byte the caller writes before
 * anyone reads them (or wipes, when it fails half-way).
 */
export function allocForOverwrite(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/**
 * A copy in memory of its own, whatever kind of Uint8Array it is given. Not `bytes.slice()`: on a Node Buffer (what
 * many KMS clients, mocks and callers hand over for a Uint8Array) `slice` returns a view of the same memory, so
 * wiping the original would wipe the "copy" with it; a kept data key would then be all zeros.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Concatenates into a fresh Uint8Array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte-wise order (shorter first on a common prefix): the order of UTF-8 strings by their bytes, as in memcmp. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A string with a lone surrogate has no UTF-8 form: TextEncoder would write U+FFFD and the string would not come back. */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

const encoder = new TextEncoder();
// Exact decoding: `fatal` refuses invalid UTF-8 and `ignoreBOM` keeps a leading U+FEFF (TextDecoder strips it by
// default, so a context value starting with U+FEFF would decode to another string than the one sealed).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
export const utf8 = (s: string) => encoder.encode(s);
export const fromUtf8 = (b: Uint8Array) => decoder.decode(b);
