import { randomFillSync } from 'crypto';

/**
 * Random bytes for public values (the IVs of ciphertext blobs), drawn from a pool filled 4 KiB at a time: one
 * system call per 341 IVs instead of one per IV (`randomBytes(12)` was 4% of an Encrypt). Never for key material:
 * keys and data keys come from `randomBytes` directly. A draw is copied out and its bytes in the pool zeroed, so no
 * two draws share a byte.
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
