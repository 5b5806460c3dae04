import { EnvelopeError, KmsAccessError, KeyNotFoundError, IntegrityError } from '../../envelope/errors';

/**
 * A failure the handler reports to CloudFormation as the reason: it names the cause and never carries input
 * values (an envelope, a secret) — only what KMS said and what the handler checked.
 */
export class ResourceFailure extends Error {
  constructor(public readonly cause: FailureCause, detail: string) {
    super(`${CAUSE_TEXT[cause]}: ${detail}`);
    this.name = 'ResourceFailure';
  }
}

export type FailureCause =
  | 'KEY_DISABLED' | 'KEY_PENDING_DELETION' | 'ACCESS_DENIED' | 'KEY_NOT_FOUND' | 'MALFORMED_ENVELOPE' | 'CONTEXT_MISMATCH'
  | 'RESPONSE_TOO_LARGE' | 'INVALID_PROPERTIES' | 'THROTTLED' | 'TIMEOUT' | 'INTEGRITY' | 'INTERNAL';

const CAUSE_TEXT: Record<FailureCause, string> = {
  KEY_DISABLED: 'KMS key is disabled',
  KEY_PENDING_DELETION: 'KMS key is pending deletion or otherwise unusable',
  ACCESS_DENIED: 'access denied by KMS',
  KEY_NOT_FOUND: 'KMS key not found',
  MALFORMED_ENVELOPE: 'malformed envelope',
  CONTEXT_MISMATCH: 'encryption context mismatch',
  RESPONSE_TOO_LARGE: 'response over CloudFormation\'s limit',
  INVALID_PROPERTIES: 'invalid resource properties',
  THROTTLED: 'KMS kept throttling or failing until the deadline',
  TIMEOUT: 'no time left before the Lambda deadline',
  INTEGRITY: 'envelope integrity check failed',
  INTERNAL: 'internal error',
};

/** Errors worth another try: throttling, KMS's own 5xx, and the network. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = e?.name ?? '';
  if (['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'ServiceUnavailableException', 'InternalFailure',
    'TimeoutError', 'RequestTimeout'].includes(name)) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(e?.code ?? '');
}

/** The failure to report for an error: the envelope's and KMS's errors mapped to their cause. */
export function toFailure(err: unknown): ResourceFailure {
  if (err instanceof ResourceFailure) return err;
  if (err instanceof KmsAccessError) {
    const cause: FailureCause = err.kmsError === 'DisabledException' ? 'KEY_DISABLED'
      : err.kmsError === 'KMSInvalidStateException' ? 'KEY_PENDING_DELETION'
        : 'ACCESS_DENIED';
    return new ResourceFailure(cause, safeText(err.message));
  }
  if (err instanceof KeyNotFoundError) return new ResourceFailure('KEY_NOT_FOUND', safeText(err.message));
  if (err instanceof IntegrityError) {
    return new ResourceFailure('INTEGRITY', 'KMS refused the wrapped key or the envelope was altered (a wrong encryption context also fails here)');
  }
  if (err instanceof EnvelopeError) return new ResourceFailure('MALFORMED_ENVELOPE', safeText(err.message));
  if (err instanceof TypeError || err instanceof RangeError) return new ResourceFailure('INVALID_PROPERTIES', safeText(err.message));
  if (isRetryable(err)) return new ResourceFailure('THROTTLED', safeText(`${(err as Error).name}: ${(err as Error).message}`));
  const name = (err as Error)?.name ?? 'Error';
  return new ResourceFailure('INTERNAL', safeText(`${name}: ${(err as Error)?.message ?? String(err)}`));
}

/** Reasons stay short (the response has a 4 KB limit) and on one line. */
export function safeText(text: string, max = 600): string {
  const flat = String(text).replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
