/**
 * The handler's credentials: the execution role's, which Lambda puts in the environment of every invocation. The
 * SDK's default chain (SSO, ini files, process, web identity, container and instance metadata, with the STS and
 * SSO clients they carry) was a third of the bundle and can never be used in Lambda.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * @module
 */

/** The credentials an SDK client signs with. */
export interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * A credential provider reading `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` when called
 * (not when made), as the SDK's `fromEnv` does.
 * @throws {@link Error} naming the variables, when they are not set
 */
export function fromLambdaEnvironment(env: NodeJS.ProcessEnv = process.env): () => Promise<EnvironmentCredentials> {
  return async () => {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw Object.assign(new Error('no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them)'), {
        name: 'CredentialsProviderError',
      });
    }
    const sessionToken = env.AWS_SESSION_TOKEN;
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
}
