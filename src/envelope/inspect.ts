import { abytes } from './bytes';
import { parseEnvelope, SUITE_DATA_KEY } from './format';

/** What `inspect` reports: the header and the wrapping keys, without any KMS call or secret. */
export interface EnvelopeDescription {
  readonly version: number;
  readonly suite: string;
  readonly messageId: string;
  readonly frameSize: number;
  readonly encryptionContext: Record<string, string>;
  readonly wrappedKeys: Array<{ keyId: string; ciphertextBytes: number }>;
  readonly bodyBytes: number;
}

/** Describes an envelope from its header alone (nothing is authenticated: do not trust it for decisions). */
export function inspect(envelope: Uint8Array): EnvelopeDescription {
  abytes(envelope, 'envelope');
  const parsed = parseEnvelope(envelope);
  return {
    version: parsed.header.version,
    suite: parsed.header.suite === SUITE_DATA_KEY ? 'data key' : 'AES-256-GCM/HKDF-SHA512/commit',
    messageId: Buffer.from(parsed.header.messageId).toString('hex'),
    frameSize: parsed.header.frameSize,
    encryptionContext: parsed.header.encryptionContext,
    wrappedKeys: parsed.wrappedKeys.map(w => ({ keyId: w.keyId, ciphertextBytes: w.ciphertext.length })),
    bodyBytes: envelope.length - parsed.bodyOffset,
  };
}
