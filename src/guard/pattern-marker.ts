/**
 * How a key says which `KeyPattern` made it, so that the guard (which reads rendered CloudFormation, never construct
 * props) can tell a key of an approved pattern from a `CfnKey` written by hand or a key of another library (GK17).
 *
 * The marker is CloudFormation resource `Metadata`, not a tag: it is set when the key is constructed (a tag is
 * applied by an aspect, which may run after the guard's), it never changes the deployed key, and it costs none of
 * the key's 50 tags. It is a governance marker, not a proof: anyone can write the same metadata by hand, so GK17
 * tells platform teams which keys bypassed their patterns, it does not stop a determined author.
 * @module
 */

/** The `Metadata` entry of an `AWS::KMS::Key` or `AWS::KMS::ReplicaKey` naming the pattern that made it. */
export const PATTERN_METADATA = 'cdk-guarded-keys:pattern';

/** The pattern name a resource's metadata carries, or undefined when it carries none (or not a string). */
export function patternOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const value = metadata?.[PATTERN_METADATA];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A pattern name: what `KeyPattern` accepts, and what `approvedPatterns` may list. */
export const PATTERN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
