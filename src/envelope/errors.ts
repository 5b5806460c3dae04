/**
 * The envelope's errors. Before any key is used, a parse error may say what is malformed. Once a key is
 * involved, every failure (a frame tag, the key commitment, a wrapped key KMS refuses as invalid ciphertext)
 * is one {@link IntegrityError} without detail, so no oracle tells an attacker which check failed.
 * No error ever carries plaintext or key material.
 * @module
 */

/** Base class: `code` is stable for programs; the message is for people. */
export class EnvelopeError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The bytes are not an envelope of this format (truncated header, bad lengths, unknown field values). */
export class MalformedEnvelopeError extends EnvelopeError {
  constructor(detail: string) {
    super('MALFORMED', `malformed envelope: ${detail}`);
  }
}

/** A version or suite this library does not implement. */
export class UnsupportedFormatError extends EnvelopeError {
  constructor(detail: string) {
    super('UNSUPPORTED', `unsupported envelope: ${detail}`);
  }
}

/**
 * Authentication failed: the envelope was tampered with, truncated, or its wrapped key does not belong to it.
 * Commitment mismatch and tag failure are deliberately the same error.
 */
export class IntegrityError extends EnvelopeError {
  constructor() {
    super('INTEGRITY', 'envelope integrity check failed');
  }
}

/** More wrapped keys than the caller allows (a cost bound on open). */
export class TooManyWrappedKeysError extends EnvelopeError {
  constructor(count: number, max: number) {
    super('TOO_MANY_WRAPPED_KEYS', `envelope has ${count} wrapped keys; at most ${max} are tried (raise maxWrappedKeys to allow more)`);
  }
}

/** KMS refused the caller (AccessDeniedException, DisabledException, KMSInvalidStateException...). */
export class KmsAccessError extends EnvelopeError {
  constructor(public readonly kmsError: string, detail: string) {
    super('KMS_ACCESS', `KMS refused the request (${kmsError}): ${detail}`);
  }
}

/** KMS does not know the key (NotFoundException). */
export class KeyNotFoundError extends EnvelopeError {
  constructor(detail: string) {
    super('KEY_NOT_FOUND', `KMS key not found: ${detail}`);
  }
}

/** The open found what it was told to expect missing (a key id or an encryption-context value). */
export class ExpectationError extends EnvelopeError {
  constructor(detail: string) {
    super('EXPECTATION', `envelope does not meet expectations: ${detail}`);
  }
}
