/**
 * The envelope-encryption and re-encrypt core (TypeScript only, not jsii): `cdk-guarded-keys/lib/envelope`.
 * The byte-level format is in docs/envelope-format.md and ./format.ts.
 * @module
 */
export { seal } from './seal';
export type { SealOptions } from './seal';
export { open, DEFAULT_MAX_WRAPPED_KEYS } from './open';
export type { OpenOptions, OpenExpectations, Opened } from './open';
export type { OutputBuffer } from './output-buffer';
export { rewrap, rewrapPreamble } from './rewrap';
export type { RewrapOptions } from './rewrap';
export { inspect } from './inspect';
export { generateDataKeyEnvelope, dataKeyEnvelope, DATA_KEY_BYTES } from './data-key-envelope';
export type { EnvelopeDescription } from './inspect';
export { createSealStream, createOpenStream, createSealWebStream, createOpenWebStream, MAX_PREAMBLE_BYTES } from './stream';
export type { WebTransformPair } from './stream';
export type { SealStreamOptions, OpenStreamOptions } from './stream';
export { DataKeyCache } from './cache';
export type { DataKeyCacheOptions, SealKeyLease, OpenKeyLease } from './cache';
export { nodeBackend, nobleBackend } from './backends';
export type { CipherBackend } from './backends';
export type { EnvelopeKms, KmsLike, KmsOperation, KmsOperations, KmsOperationTypes, KmsOutput } from './kms';
export {
  EnvelopeError, MalformedEnvelopeError, UnsupportedFormatError, IntegrityError, TooManyWrappedKeysError, KmsAccessError, KeyNotFoundError,
  ExpectationError,
} from './errors';
export { DEFAULT_FRAME_SIZE, DEFAULT_STREAM_FRAME_SIZE, MIN_FRAME_SIZE, MAX_FRAME_SIZE, RESERVED_CONTEXT_PREFIX } from './format';
