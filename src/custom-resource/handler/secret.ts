import { randomBytes } from 'crypto';

/** Bounds of a generated secret, shared with the construct's validation. */
export const MIN_SECRET_LENGTH = 8;
export const MAX_SECRET_LENGTH = 4096;
export const MIN_ALPHABET = 2;
export const MAX_ALPHABET = 256;
/** The default alphabet: letters and digits (no character that needs escaping in a shell, URL or JSON). */
export const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * `length` characters drawn uniformly from `alphabet` (rejection sampling: no modulo bias), as UTF-8 bytes; or
 * `length` raw random bytes. The caller owns the result and wipes it.
 */
export function generateSecret(length: number, alphabet: string | undefined, raw: boolean): Uint8Array {
  if (raw) return new Uint8Array(randomBytes(length));
  const symbols = [...(alphabet ?? DEFAULT_ALPHABET)];
  const encoded = symbols.map(s => new TextEncoder().encode(s));
  const parts: Uint8Array[] = [];
  const limit = 256 - (256 % symbols.length);
  let total = 0;
  while (parts.length < length) {
    const pool = randomBytes(length * 2);
    for (let i = 0; i < pool.length && parts.length < length; i++) {
      if (pool[i] >= limit) continue;
      const symbol = encoded[pool[i] % symbols.length];
      parts.push(symbol);
      total += symbol.length;
    }
    pool.fill(0);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
