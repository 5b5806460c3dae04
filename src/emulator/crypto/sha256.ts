import * as crypto from 'crypto';

/**
 * SHA-256 of a text (UTF-8), in hex: SigV4's payload and canonical-request hashes, and the key material ids KMS
 * shows. node:crypto's one-shot `hash` (node 20.12 and later) makes no Hash object per call (a native object with a
 * weak handle, which every young-generation collection then processes); older nodes use `createHash`.
 * @module
 */

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The SHA-256 digest of `text` (UTF-8), as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
