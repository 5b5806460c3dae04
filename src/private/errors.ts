import { IConstruct } from 'constructs';

/**
 * A construct prop (or a later call) that would produce an unsafe or undeployable key.
 *
 * aws-cdk-lib's own `ValidationError` is not exported, so this mirrors it: the message is prefixed
 * with the construct path so that a failing synth says exactly where the bad value came from.
 */
export class GuardedKeysValidationError extends Error {
  public readonly constructPath: string;

  constructor(scopePath: string, message: string) {
    super(`${scopePath}: ${message}`);
    this.name = 'ValidationError';
    this.constructPath = scopePath;
  }
}

/** Throws a validation error for a construct that exists already. */
export function validationError(scope: IConstruct, message: string): GuardedKeysValidationError {
  return new GuardedKeysValidationError(scope.node.path, message);
}

/** Throws a validation error for a construct about to be created as `id` under `scope`. */
export function validationErrorFor(scope: IConstruct, id: string, message: string): GuardedKeysValidationError {
  const parent = scope.node.path;
  return new GuardedKeysValidationError(parent ? `${parent}/${id}` : id, message);
}
