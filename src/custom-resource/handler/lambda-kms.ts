import { Agent as HttpAgent, request as httpRequest } from 'http';
import { Agent as HttpsAgent, request as httpsRequest } from 'https';
import { EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, ReEncryptCommand } from '@aws-sdk/client-kms';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromLambdaEnvironment } from './lambda-credentials';
import { KmsLike } from '../../envelope/kms';

/**
 * The handler's KMS client: the four operations it sends (GenerateDataKey, GenerateDataKeyWithoutPlaintext,
 * ReEncrypt, Encrypt) over KMS's JSON 1.1 protocol, signed by `@smithy/signature-v4` and carried by node:https.
 *
 * Why not `@aws-sdk/client-kms`'s `KMSClient`: the cold start. With every esbuild setting that helps
 * (./bundle-options.ts) and every client setting given from the environment, the SDK client still cost about
 * half the cold init of an ESDK + KMS keyring bundle (0.49 of its CPU time, 0.55 of its wall time; the issue's goal
 * is at most half; with this client 0.30 and 0.30 to 0.37): 200 KB of bundle (87 KB with this client), and a
 * first request that initializes the `@smithy/core` modules, the middleware stack, the endpoint rules and the
 * schema serde (`npm run bench -- custom-resource`, docs/custom-resource.md). This client keeps the SDK's command
 * classes (what the envelope core sends) and its signer, and drops the rest; what it gives up, it does not need:
 * - retries: one attempt per call, as the SDK client was configured; the handler retries throttling, 5xx and network
 *   errors itself within the Lambda's time (./deadline.ts), and errors carry what `isRetryable` reads
 *   (`name` from `__type`, `$metadata.httpStatusCode`, the network `code`);
 * - credentials: the execution role's, from the environment (./lambda-credentials.ts);
 * - endpoints: `AWS_ENDPOINT_URL_KMS` or `AWS_ENDPOINT_URL` when set, else KMS's regional endpoint in the region's
 *   partition, FIPS and dual-stack as `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT` ask; a test compares
 *   every partition's endpoints with the SDK's own rules (test/custom-resource/lambda-client.test.ts).
 * - clock-skew correction: Lambda's clock is kept by AWS.
 */
export class LambdaKms implements KmsLike {
  /** The region, as an SDK client's `config.region` (the envelope core reads it for `mrk-` key ARNs). */
  public readonly config: { readonly region: string };
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;
  private readonly agent: HttpAgent;

  /** Sends one of the handler's commands (the SDK's command objects), once: the handler retries. */
  public send: KmsLike['send'] = (async (command: { constructor: unknown; input: object }) => {
    const operation = OPERATIONS.get(command.constructor);
    if (!operation) throw new TypeError(`LambdaKms sends ${[...OPERATIONS.values()].join(', ')} only`);
    return this.post(operation, command.input);
  }) as KmsLike['send'];

  constructor(region: string, env: NodeJS.ProcessEnv = process.env) {
    this.config = { region };
    this.endpoint = new URL(kmsEndpoint(region, env));
    this.signer = new SignatureV4({
      service: 'kms', region, credentials: fromLambdaEnvironment(env), sha256: Hash.bind(null, 'sha256'), uriEscapePath: true,
    });
    this.agent = this.endpoint.protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  }

  /** Closes the kept-alive connections. */
  public destroy(): void {
    this.agent.destroy();
  }

  private async post(operation: string, input: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input, blobsAsBase64);
    const url = this.endpoint;
    const signed = await this.signer.sign(new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      // An explicit length, signed, as the SDK sends it (node:http would otherwise send the body chunked).
      headers: {
        'host': url.host, 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(body)), 'x-amz-target': `TrentService.${operation}`,
      },
      body,
    }));
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers: signed.headers, agent: this.agent, timeout: 30_000 }, res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const payload = parseJson(Buffer.concat(chunks).toString('utf8'));
          if (status >= 200 && status < 300 && payload) return resolve(decodeBlobs(payload));
          reject(kmsError(status, payload, res.headers['x-amzn-errortype']));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`${operation}: no answer from KMS within 30 s`), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The commands the handler sends, by class: the envelope core builds them with the SDK's command classes. */
const OPERATIONS = new Map<unknown, string>([
  [GenerateDataKeyCommand, 'GenerateDataKey'],
  [GenerateDataKeyWithoutPlaintextCommand, 'GenerateDataKeyWithoutPlaintext'],
  [ReEncryptCommand, 'ReEncrypt'],
  [EncryptCommand, 'Encrypt'],
]);

/** The blob members of those operations' outputs (base64 on the wire, bytes to the caller). */
const BLOBS = ['CiphertextBlob', 'Plaintext'] as const;

/**
 * DNS suffixes by partition, keyed by region prefix (first match wins), as the SDK's partitions data has them
 * (test/custom-resource/lambda-client.test.ts checks each against `KMSClient`'s endpoint rules).
 */
const PARTITIONS: ReadonlyArray<{ prefix: RegExp; dns: string; dualStack: string }> = [
  { prefix: /^cn-/, dns: 'amazonaws.com.cn', dualStack: 'api.amazonwebservices.com.cn' },
  { prefix: /^us-isob-/, dns: 'sc2s.sgov.gov', dualStack: 'api.aws.scloud' },
  { prefix: /^us-isof-/, dns: 'csp.hci.ic.gov', dualStack: 'api.aws.hci.ic.gov' },
  { prefix: /^us-iso-/, dns: 'c2s.ic.gov', dualStack: 'api.aws.ic.gov' },
  { prefix: /^eu-isoe-/, dns: 'cloud.adc-e.uk', dualStack: 'api.cloud-aws.adc-e.uk' },
  { prefix: /^eusc-/, dns: 'amazonaws.eu', dualStack: 'api.amazonwebservices.eu' },
  { prefix: /./, dns: 'amazonaws.com', dualStack: 'api.aws' },
];

/** KMS's endpoint for a region: the override the environment names, else the regional endpoint of its partition. */
export function kmsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL;
  if (override) return override;
  const partition = PARTITIONS.find(p => p.prefix.test(region))!;
  const fips = env.AWS_USE_FIPS_ENDPOINT === 'true';
  const dualStack = env.AWS_USE_DUALSTACK_ENDPOINT === 'true';
  return `https://kms${fips ? '-fips' : ''}.${region}.${dualStack ? partition.dualStack : partition.dns}`;
}

/** A KMS client for the target key's region (from its ARN), else the function's own (`AWS_REGION`). */
export function lambdaKmsClient(region: string | undefined, env: NodeJS.ProcessEnv = process.env): LambdaKms {
  const resolved = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!resolved) throw new TypeError('no region: the target key ARN names none and AWS_REGION is not set');
  return new LambdaKms(resolved, env);
}

/** A JSON replacer writing bytes as base64; it reads the holder's value, since a Buffer's `toJSON` runs first. */
function blobsAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function decodeBlobs(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payload, $metadata: { httpStatusCode: 200 } };
  for (const name of BLOBS) if (typeof payload[name] === 'string') out[name] = new Uint8Array(Buffer.from(payload[name] as string, 'base64'));
  return out;
}

/**
 * An error as the SDK shapes KMS's: `name` the exception (`__type` or the `x-amzn-ErrorType` header, namespace and
 * details stripped), the message KMS sent, `$metadata.httpStatusCode`. A body that is not KMS's JSON (a proxy, a
 * load balancer) is named by its status.
 */
function kmsError(status: number, payload: Record<string, unknown> | undefined, header: string | string[] | undefined): Error {
  const type = String(payload?.__type ?? payload?.code ?? (Array.isArray(header) ? header[0] : header) ?? '');
  const name = type.split('#').pop()!.split(':')[0] || (status >= 500 ? 'InternalFailure' : `HTTP${status}`);
  const message = String(payload?.message ?? payload?.Message ?? `KMS answered HTTP ${status}`);
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
