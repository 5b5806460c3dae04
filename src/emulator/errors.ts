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
  | 'DryRunOperationException'
  | 'ExpiredImportTokenException'
  | 'IncorrectKeyMaterialException'
  | 'InvalidImportTokenException'
  | 'ThrottlingException'
  | 'IncompleteSignatureException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidArnException'
  | 'InvalidCiphertextException'
  | 'InvalidGrantIdException'
  | 'InvalidGrantTokenException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
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
  ThrottlingException: 400,
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

/**
 * `1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: ...`, as KMS words
 * it. `path` is the member path on the wire (`keyId`, `tags.1.member.tagKey`); a field name in PascalCase is
 * lower-cased at its first letter. `value` is left out for sensitive or binary members (KMS prints no value for
 * `plaintext`), printed as `null` when the member is missing, and quoted otherwise.
 */
export function validationError(path: string, constraint: string, value?: unknown): KmsError {
  return new KmsError('ValidationException', `1 validation error detected: ${valuePhrase(value)} at '${memberPath(path)}' failed to satisfy constraint: ${constraint}`);
}

function valuePhrase(value: unknown): string {
  if (value === undefined) return 'Value';
  if (value === null) return 'Value null';
  if (Array.isArray(value)) return `Value '[${value.join(', ')}]'`;
  return `Value '${String(value)}'`;
}

function memberPath(path: string): string {
  return path.split('.').map(lowerFirst).join('.');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `Member must not be null` for a missing required member. */
export function missingMember(path: string): KmsError {
  return validationError(path, 'Member must not be null', null);
}

/** KMS answers these with an empty message; the emulator does the same, so an assertion on it holds in both. */
export function withoutMessage(code: 'InvalidCiphertextException' | 'KMSInvalidSignatureException' | 'KMSInvalidMacException'): KmsError {
  return new KmsError(code, '');
}

/** The DryRun answer when everything else would have succeeded (KMS's wording). */
export function dryRunSucceeded(): KmsError {
  return new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}
