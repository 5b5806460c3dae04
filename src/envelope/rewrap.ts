import { abytes, concat } from './bytes';
import { TooManyWrappedKeysError, IntegrityError } from './errors';
import { encodeWrappedKeys, parseEnvelope, WrappedKey } from './format';
import { KmsLike, reEncryptWrappedKey } from './kms';
import { DEFAULT_MAX_WRAPPED_KEYS } from './open';

export interface RewrapOptions {
  /** The KMS key to move the envelope to. */
  readonly toKeyId: string;
  readonly kms: KmsLike;
  /**
   * Keep the existing wrapped keys beside the new one (the envelope then opens under both).
   * By default they are replaced: the envelope moves to the new key only.
   */
  readonly keepExisting?: boolean;
  readonly maxWrappedKeys?: number;
}

/**
 * Moves an envelope to another KMS key with KMS ReEncrypt: the data key's plaintext never leaves KMS, and the
 * header and body bytes are untouched (the cost is one ReEncrypt, whatever the payload size). The key commitment
 * still binds the data key, so a rewrap that produced another data key would fail to open.
 */
export async function rewrap(envelope: Uint8Array, options: RewrapOptions): Promise<Uint8Array> {
  abytes(envelope, 'envelope');
  if (typeof options.toKeyId !== 'string' || options.toKeyId.length === 0) throw new TypeError('toKeyId: expected a KMS key id, ARN or alias');
  const parsed = parseEnvelope(envelope);
  const max = options.maxWrappedKeys ?? DEFAULT_MAX_WRAPPED_KEYS;
  if (parsed.wrappedKeys.length > max) throw new TooManyWrappedKeysError(parsed.wrappedKeys.length, max);
  let moved: WrappedKey | undefined;
  let lastError: Error | undefined;
  for (const wrapped of parsed.wrappedKeys) {
    try {
      moved = await reEncryptWrappedKey(options.kms, wrapped, options.toKeyId, parsed.header.encryptionContext);
      break;
    } catch (err) {
      lastError = err as Error;
    }
  }
  if (!moved) throw lastError ?? new IntegrityError();
  const wrappedKeys = options.keepExisting ? [...parsed.wrappedKeys.filter(w => w.keyId !== moved!.keyId), moved] : [moved];
  return concat([parsed.headerBytes, encodeWrappedKeys(wrappedKeys), envelope.subarray(parsed.bodyOffset)]);
}
