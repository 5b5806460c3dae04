import { KmsError } from './errors';

/**
 * The shapes a `KeyId` may take, as KMS tells them apart before it looks anything up: a key id (a UUID, or `mrk-`
 * and 32 hex digits), a key ARN, an alias name or an alias ARN. Anything else is `NotFoundException: Invalid keyId
 * 'x'`, and an alias where an operation takes only a key id or ARN is `Invalid keyId alias/x` (KMS's wording, with
 * and without quotes).
 * @module
 */

const KEY_ID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$/;

/** Whether a string is a key id KMS could have issued. */
export function isKeyIdSyntax(keyId: string): boolean {
  return KEY_ID.test(keyId);
}

/** A key id that cannot name a key: NotFoundException before any lookup. */
export function invalidKeyId(keyId: string): KmsError {
  return new KmsError('NotFoundException', `Invalid keyId '${keyId}'`);
}

/** An alias given to an operation that takes only a key id or key ARN. */
export function aliasNotAccepted(keyId: string): KmsError {
  return new KmsError('NotFoundException', `Invalid keyId ${keyId}`);
}
