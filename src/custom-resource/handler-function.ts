import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * Where the build puts the handler bundle (esbuild, after compile: the `bundle:handler` task). The path is the
 * same from `src/custom-resource` (tests under ts-jest) and from `lib/custom-resource` (the package), because
 * both are two levels below the package root. The user's synth only reads it: nothing is bundled there.
 */
export const HANDLER_BUNDLE_DIR = path.resolve(__dirname, '..', '..', 'lib', 'custom-resource', 'handler', 'bundle');

/** The handler's runtime: nodejs22.x. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Long enough for KMS retries under throttling; the handler answers CloudFormation before it runs out. */
export const HANDLER_TIMEOUT = Duration.minutes(2);

const UUID = 'a4b0f0de-5c8e-4b7c-9d59-1d0c8e6b2f14';

/**
 * The one handler Lambda of a stack, shared by every SealedValue, GeneratedSecret and DataKey in it: each value
 * makes a `SingletonFunction` handle under itself, and CDK creates the function (and its role) once per stack.
 */
export function handlerFunction(scope: Construct): lambda.SingletonFunction {
  return new lambda.SingletonFunction(scope, 'Handler', {
    uuid: UUID,
    lambdaPurpose: 'GuardedKeysValues',
    code: lambda.Code.fromAsset(HANDLER_BUNDLE_DIR),
    handler: 'index.handler',
    runtime: HANDLER_RUNTIME,
    timeout: HANDLER_TIMEOUT,
    memorySize: 256,
    description: 'cdk-guarded-keys: seals, rewraps and provisions values at deploy time (SealedValue, GeneratedSecret, DataKey)',
  });
}
