/**
 * Data-key envelopes (suite `0x02`): an envelope whose value is its own data key, made without the data key ever
 * leaving KMS (GenerateDataKeyWithoutPlaintext), and read by {@link open} like any other envelope.
 *
 * A sealed envelope (suite `0x01`) needs the data key's plaintext twice: to derive the key commitment and to
 * encrypt the frames. A deploy-time Lambda that provisions a data key must not see it, so neither can be
 * computed there. This suite keeps the same header and wrapped-keys layout (so `rewrap`, `inspect` and the
 * `mrk-` rewrite work unchanged) with:
 * - suite `0x02`, a random message id (not used by any derivation), the frame-size field at its minimum;
 * - the commitment field all zero and no body: what authenticates the value is KMS itself, which binds the
 *   wrapped key to the encryption context (Decrypt fails unless the header's context is the one it was made with);
 * - `open` returns the unwrapped data key as the plaintext (32 bytes, AES-256).
 *
 * What it does not give: a commitment. Replacing the wrapped key with another one bound to the same context opens
 * to another data key; whoever can do that can equally replace the whole envelope, so nothing is lost against the
 * sealed suite for a value that is a single key.
 * @module
 */
import { randomBytes } from 'crypto';
import { abytes, wipe } from './bytes';
import { MalformedEnvelopeError } from './errors';
import {
  COMMITMENT_BYTES, EnvelopeHeader, encodeHeader, encodeWrappedKeys, MESSAGE_ID_BYTES, MIN_FRAME_SIZE, ParsedEnvelope, SUITE_DATA_KEY, VERSION,
  WrappedKey,
} from './format';
import { callKms, EnvelopeKms, mapKmsError, unwrapDataKey } from './kms';
import { candidateWrappedKeys, mostUsefulError, Opened, OpenOptions } from './open';
import { callOutput } from './output-buffer';
import { validateContext } from './seal';

/** Bytes of the data key a data-key envelope holds (AES_256). */
export const DATA_KEY_BYTES = 32;

/**
 * The envelope of a data key KMS generated without returning it: one GenerateDataKeyWithoutPlaintext under `keyId`
 * with the context. Nothing secret passes through this process.
 */
export async function generateDataKeyEnvelope(kms: EnvelopeKms, keyId: string, encryptionContext: Record<string, string> = {}): Promise<Uint8Array> {
  if (typeof keyId !== 'string' || keyId.length === 0) throw new TypeError('keyId: expected a KMS key id, ARN or alias');
  const context = validateContext(encryptionContext);
  let out;
  try {
    out = await callKms(kms, 'GenerateDataKeyWithoutPlaintext', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context });
  } catch (err) {
    throw mapKmsError(err, keyId);
  }
  return dataKeyEnvelope({ keyId: out.KeyId!, ciphertext: out.CiphertextBlob! }, context);
}

/** The one writer of a data-key envelope, from a wrapped data key and the context KMS bound it to. */
export function dataKeyEnvelope(wrapped: WrappedKey, encryptionContext: Record<string, string>): Uint8Array {
  abytes(wrapped.ciphertext, 'wrapped.ciphertext');
  const header: EnvelopeHeader = {
    version: VERSION,
    suite: SUITE_DATA_KEY,
    messageId: new Uint8Array(randomBytes(MESSAGE_ID_BYTES)),
    frameSize: MIN_FRAME_SIZE,
    encryptionContext: validateContext(encryptionContext),
    commitment: new Uint8Array(COMMITMENT_BYTES),
  };
  const headerBytes = encodeHeader(header);
  const keys = encodeWrappedKeys([wrapped]);
  const out = new Uint8Array(headerBytes.length + keys.length);
  out.set(headerBytes, 0);
  out.set(keys, headerBytes.length);
  return out;
}

/**
 * `open` for suite `0x02`: the same expectations, key order and error ranking as a sealed envelope; the plaintext
 * is the data key (the caller owns it and should wipe it). The data-key cache is not used: there is no message to
 * share a key across.
 */
export async function openDataKeyEnvelope(envelope: Uint8Array, parsed: ParsedEnvelope, options: OpenOptions): Promise<Opened> {
  if (parsed.bodyOffset !== envelope.length) throw new MalformedEnvelopeError('a data-key envelope has no body');
  if (parsed.header.commitment.some(b => b !== 0)) throw new MalformedEnvelopeError('a data-key envelope must have an all-zero commitment');
  const candidates = await candidateWrappedKeys(parsed, options);
  const errors: unknown[] = [];
  for (const wrapped of candidates) {
    let opened: { dataKey: Uint8Array; keyId: string };
    try {
      opened = await unwrapDataKey(options.kms, wrapped, parsed.header.encryptionContext);
      if (opened.dataKey.length !== DATA_KEY_BYTES) {
        wipe(opened.dataKey);
        throw new MalformedEnvelopeError(`a data-key envelope holds a ${DATA_KEY_BYTES}-byte key`);
      }
    } catch (err) {
      errors.push(err);
      continue;
    }
    const plaintext = intoOutput(opened.dataKey, envelope, options);
    return { plaintext, encryptionContext: { ...parsed.header.encryptionContext }, keyId: opened.keyId };
  }
  throw mostUsefulError(errors);
}

/**
 * The data key as the plaintext: KMS's buffer, or copied into the caller's `output` (then ours is wiped). Outside
 * the loop over wrapped keys, so a refused `output` is its own error, not one more failed key.
 */
function intoOutput(dataKey: Uint8Array, envelope: Uint8Array, options: OpenOptions): Uint8Array {
  if (options.output === undefined) return dataKey;
  try {
    const out = callOutput(options.output, dataKey.length, envelope, 'envelope');
    out.set(dataKey);
    return out;
  } finally {
    wipe(dataKey);
  }
}
