import { abytes, concat } from './bytes';
import { TooManyWrappedKeysError } from './errors';
import { encodeWrappedKeys, parseEnvelope, WrappedKey } from './format';
import { EnvelopeKms, reEncryptWrappedKey } from './kms';
import { DEFAULT_MAX_WRAPPED_KEYS, mostUsefulError } from './open';

export interface RewrapOptions {
  /** The KMS key to move the envelope to. */
  readonly toKeyId: string;
  readonly kms: EnvelopeKms;
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
  const { preamble, bodyOffset } = await rewrapPreamble(envelope, options);
  const out = new Uint8Array(preamble.length + envelope.length - bodyOffset);
  out.set(preamble, 0);
  out.set(envelope.subarray(bodyOffset), preamble.length);
  return out;
}

/**
 * The rewrap without touching the body: given the envelope's bytes (or just its start, up to and including the
 * wrapped keys), returns the new header + wrapped keys and where the old body starts. Its cost does not depend on
 * the payload size, so a file can be rewrapped by replacing its first bytes.
 */
export async function rewrapPreamble(envelope: Uint8Array, options: RewrapOptions): Promise<{ preamble: Uint8Array; bodyOffset: number }> {
  abytes(envelope, 'envelope');
  if (typeof options.toKeyId !== 'string' || options.toKeyId.length === 0) throw new TypeError('toKeyId: expected a KMS key id, ARN or alias');
  const parsed = parseEnvelope(envelope);
  const max = options.maxWrappedKeys ?? DEFAULT_MAX_WRAPPED_KEYS;
  if (parsed.wrappedKeys.length > max) throw new TooManyWrappedKeysError(parsed.wrappedKeys.length, max);
  let moved: WrappedKey | undefined;
  const errors: unknown[] = [];
  for (const wrapped of parsed.wrappedKeys) {
    try {
      moved = await reEncryptWrappedKey(options.kms, wrapped, options.toKeyId, parsed.header.encryptionContext);
      break;
    } catch (err) {
      errors.push(err);
    }
  }
  if (!moved) throw mostUsefulError(errors);
  const wrappedKeys = options.keepExisting ? [...parsed.wrappedKeys.filter(w => w.keyId !== moved!.keyId), moved] : [moved];
  return { preamble: concat([parsed.headerBytes, encodeWrappedKeys(wrappedKeys)]), bodyOffset: parsed.bodyOffset };
}
