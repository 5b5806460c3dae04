/**
 * The CloudFormation custom-resource protocol, as far as this handler uses it, and the properties each kind reads.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 * @module
 */

/** The request CloudFormation sends (Create, Update with the old properties, Delete). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** Absent on Create. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** Update only: the properties as last deployed. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The part of a Lambda context the handler uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** The response document PUT to the ResponseURL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, string>;
}

/** CloudFormation's limit on a response body (the whole JSON document). */
export const MAX_RESPONSE_BYTES = 4096;
/** CloudFormation's limit on a custom resource's physical id. */
export const MAX_PHYSICAL_ID_BYTES = 1024;

/** Property names, shared with the constructs that write them. */
export const PROPS = {
  kind: 'Kind',
  targetKeyArn: 'TargetKeyArn',
  encryptionContext: 'EncryptionContext',
  envelope: 'Envelope',
  generation: 'Generation',
  length: 'Length',
  alphabet: 'Alphabet',
  rawBytes: 'RawBytes',
} as const;

/** The resource types, one per construct. */
export const RESOURCE_TYPES = {
  SealedValue: 'Custom::GuardedKeysSealedValue',
  GeneratedSecret: 'Custom::GuardedKeysGeneratedSecret',
  DataKey: 'Custom::GuardedKeysDataKey',
} as const;

export type ValueKind = keyof typeof RESOURCE_TYPES;

/** The attribute every kind returns: the envelope, base64. */
export const ENVELOPE_ATTRIBUTE = 'Envelope';
