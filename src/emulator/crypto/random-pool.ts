import { randomFillSync } from 'crypto';

/**
 * Random bytes for public values (the IVs of ciphertext blobs, the ids of key material), drawn from a pool filled
 * 4 KiB at a time: one system call per 341 IVs instead of one per IV (`randomBytes(12)` was 4% of an Encrypt, and
 * `randomBytes(16)` for a material id 3% of a CreateKey). Never for secrets: key material and data keys come from
 * `randomBytes` directly. A draw is copied out and its bytes in the pool zeroed, so no two draws share a byte.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** Writes `length` fresh random bytes into `out` at `at`. */
export function randomInto(out: Buffer, at: number, length: number): void {
  if (length > POOL_BYTES / 4) {
    randomFillSync(out, at, length);
    return;
  }
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  pool.copy(out, at, offset, offset + length);
  pool.fill(0, offset, offset + length);
  offset += length;
}

/** `length` fresh random bytes from the pool as hex, for public identifiers (material ids, `mrk-` key ids). */
export function randomHex(length: number): string {
  const out = Buffer.allocUnsafe(length);
  randomInto(out, 0, length);
  return out.toString('hex');
}
