import { createCipheriv, createDecipheriv } from 'crypto';
import { withoutMessage } from '../errors';
import { KeyMaterial } from '../state';
import { randomInto } from './random-pool';

/**
 * The emulator's symmetric ciphertext blob. Opaque to clients, as KMS's is, but it must let Decrypt find the
 * key without a KeyId, and bind the encryption context:
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 1 | version (1) |
 * | 1 | 1 | key id length n |
 * | 2 | n | key id (ASCII; an `mrk-` id is the same in every region, so ciphertext is portable) |
 * | 2+n | 16 | material id (the rotation version that encrypted) |
 * | 18+n | 12 | IV |
 * | 30+n | 16 | GCM tag |
 * | 46+n | rest | AES-256-GCM ciphertext |
 *
 * The AAD is the key id and the canonical (key-sorted) encryption context, so a changed context or a blob
 * moved to another key fails to decrypt (InvalidCiphertextException).
 */
const VERSION = 1;
const MATERIAL_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface ParsedBlob {
  readonly keyId: string;
  readonly materialId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** The encryption context in one canonical form: keys sorted, as JSON. */
export function canonicalContext(context: Record<string, string> | undefined): string {
  if (context === undefined) return '[]'; // JSON.stringify([]), as below
  const sorted = Object.keys(context ?? {}).sort().map(k => [k, context![k]]);
  return JSON.stringify(sorted);
}

function aad(keyId: string, context: Record<string, string> | undefined): Buffer {
  return Buffer.from(`guarded-keys-emulator/v1\0${keyId}\0${canonicalContext(context)}`, 'utf8');
}

/**
 * Encrypts under one material version of a key, into one buffer of the blob's size (the IV drawn into it, the
 * cipher's output copied into it once).
 */
export function encryptBlob(keyId: string, material: KeyMaterial, plaintext: Buffer, context?: Record<string, string>): Buffer {
  const n = Buffer.byteLength(keyId, 'ascii');
  const ivAt = 2 + n + MATERIAL_ID_BYTES;
  const bodyAt = ivAt + IV_BYTES + TAG_BYTES;
  const out = Buffer.allocUnsafe(bodyAt + plaintext.length);
  out[0] = VERSION;
  out[1] = n;
  out.write(keyId, 2, 'ascii');
  if (out.write(material.id, 2 + n, 'hex') !== MATERIAL_ID_BYTES) throw new Error(`material id ${material.id} is not ${MATERIAL_ID_BYTES} bytes of hex`);
  randomInto(out, ivAt, IV_BYTES);
  const key = Buffer.from(material.secret, 'base64');
  try {
    const cipher = createCipheriv('aes-256-gcm', key, out.subarray(ivAt, ivAt + IV_BYTES));
    cipher.setAAD(aad(keyId, context));
    const body = cipher.update(plaintext);
    const rest = cipher.final(); // empty for GCM, but the API allows output here
    body.copy(out, bodyAt);
    rest.copy(out, bodyAt + body.length);
    cipher.getAuthTag().copy(out, ivAt + IV_BYTES);
    return out;
  } finally {
    key.fill(0);
  }
}

/** Reads a blob's fields; anything malformed is InvalidCiphertextException. */
export function parseBlob(blob: Buffer): ParsedBlob {
  const invalid = () => withoutMessage('InvalidCiphertextException');
  if (blob.length < 2 || blob[0] !== VERSION) throw invalid();
  const n = blob[1];
  const fixed = 2 + n + MATERIAL_ID_BYTES + IV_BYTES + TAG_BYTES;
  if (n === 0 || blob.length < fixed) throw invalid();
  const keyId = blob.subarray(2, 2 + n).toString('ascii');
  if (!/^(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/.test(keyId)) throw invalid();
  let offset = 2 + n;
  const take = (size: number) => blob.subarray(offset, (offset += size));
  return { keyId, materialId: take(MATERIAL_ID_BYTES).toString('hex'), iv: take(IV_BYTES), tag: take(TAG_BYTES), ciphertext: blob.subarray(offset) };
}

/** Decrypts a parsed blob with the material it names. */
export function decryptBlob(parsed: ParsedBlob, materials: KeyMaterial[], context?: Record<string, string>): Buffer {
  const material = materials.find(m => m.id === parsed.materialId);
  if (!material) throw withoutMessage('InvalidCiphertextException');
  const key = Buffer.from(material.secret, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv);
    decipher.setAAD(aad(parsed.keyId, context));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
  } catch {
    throw withoutMessage('InvalidCiphertextException'); // KMS says nothing more, so no oracle either
  } finally {
    key.fill(0);
  }
}
