/**
 * KMS's own exception types. Handlers throw a {@link KmsError}; only the HTTP layer turns it into a status
 * and a `__type`, and anything else into a 500 (STYLE conventions 8-9).
 * @module
 */

/** The exception names KMS returns, as `__type` and as the SDK's error class names. */
export type KmsErrorCode =
  | 'AccessDeniedException'
  | 'AlreadyExistsException'
  | 'DisabledException'
  | 'IncompleteSignatureException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidArnException'
  | 'InvalidCiphertextException'
  | 'InvalidGrantIdException'
  | 'InvalidGrantTokenException'
  | 'InvalidKeyUsageException'
  | 'InvalidSignatureException'
  | 'KMSInternalException'
  | 'KMSInvalidMacException'
  | 'KMSInvalidSignatureException'
  | 'KMSInvalidStateException'
  | 'LimitExceededException'
  | 'MalformedPolicyDocumentException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'TagException'
  | 'UnrecognizedClientException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

/** HTTP status per exception (KMS answers 400 for client errors, 500 for its own). */
const STATUS: Partial<Record<KmsErrorCode, number>> = {
  KMSInternalException: 500,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  AccessDeniedException: 400,
};

/** An error KMS would return, with its exception type and message. */
export class KmsError extends Error {
  public readonly status: number;

  constructor(public readonly code: KmsErrorCode, message: string) {
    super(message);
    this.name = code;
    this.status = STATUS[code] ?? 400;
  }
}

/** `1 validation error detected: Value at 'keyId' failed to satisfy constraint: ...`, as KMS words it. */
export function validationError(field: string, constraint: string): KmsError {
  return new KmsError('ValidationException', `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: ${constraint}`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
