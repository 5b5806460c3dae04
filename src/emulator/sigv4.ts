import { timingSafeEqual } from 'crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { KmsError } from './errors';

/** What the Authorization header says about the caller. */
export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=.../aws4_request, SignedHeaders=..., Signature=...`. */
export function parseAuthorization(authorization: string | undefined): SigV4Credential {
  const match = AUTHORIZATION.exec(authorization ?? '');
  if (!match) throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  return {
    accessKeyId: match[1],
    date: match[2],
    region: match[3],
    service: match[4],
    signedHeaders: match[5].split(';'),
    signature: match[6],
  };
}

/** The parts of an incoming HTTP request the signature covers. */
export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Verifies a request's SigV4 signature by signing it again with the caller's secret (with the maintained
 * @smithy/signature-v4, the SDK's own signer) over exactly the headers it says it signed, and comparing in
 * constant time. A mismatch is KMS's InvalidSignatureException.
 */
export async function verifySignature(request: IncomingSignedRequest, credential: SigV4Credential, secretAccessKey: string): Promise<void> {
  const amzDate = header(request.headers, 'x-amz-date');
  if (!amzDate) throw new KmsError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
  const headers: Record<string, string> = {};
  for (const name of credential.signedHeaders) headers[name] = header(request.headers, name) ?? '';
  const [hostname, port] = (headers.host ?? 'localhost').split(':');
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey, sessionToken: headers['x-amz-security-token'] },
    region: credential.region,
    service: credential.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const signed = await signer.sign(new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname,
    port: port ? Number(port) : undefined,
    path: request.path,
    headers,
    body: request.body,
  }), { signingDate: parseAmzDate(amzDate), signingRegion: credential.region, signingService: credential.service });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(credential.signature, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new KmsError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
}

function header(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20260101T000000Z` -> Date. */
function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new KmsError('InvalidSignatureException', `X-Amz-Date ${value} is not in the form YYYYMMDDTHHMMSSZ`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}
