import { KMSClient } from '@aws-sdk/client-kms';
import { fromLambdaEnvironment } from './lambda-credentials';

/**
 * A KMS client configured from the Lambda environment alone, so its first call reads no file and probes nothing:
 * every setting the SDK would otherwise resolve through its provider chains (environment, then `~/.aws/config`,
 * then defaults) is given here from the environment Lambda sets. Part of the cold-init budget
 * (docs/custom-resource.md, "The bundle").
 *
 * - credentials: the execution role's, from the environment (./lambda-credentials.ts);
 * - region: the target key's (from its ARN), else `AWS_REGION`;
 * - one attempt per call: the handler retries itself, within the time the Lambda has left (./deadline.ts);
 * - FIPS and dual-stack endpoints as the standard variables ask (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`),
 *   and an endpoint override from `AWS_ENDPOINT_URL_KMS` or `AWS_ENDPOINT_URL` (the local deployment's and the
 *   bench's emulator); the SDK is told not to look for one in the config files.
 */
export function lambdaKmsClient(region: string | undefined, env: NodeJS.ProcessEnv = process.env): KMSClient {
  return new KMSClient({
    region: region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    credentials: fromLambdaEnvironment(env),
    maxAttempts: 1,
    retryMode: 'standard',
    useFipsEndpoint: env.AWS_USE_FIPS_ENDPOINT === 'true',
    useDualstackEndpoint: env.AWS_USE_DUALSTACK_ENDPOINT === 'true',
    authSchemePreference: [],
    userAgentAppId: '',
    endpoint: env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL,
    ignoreConfiguredEndpointUrls: true,
    disableClockSkewCorrection: false,
    // Options rather than the default provider, which would read the defaults mode from the config files first.
    requestHandler: {},
  });
}
