import { createHmac, timingSafeEqual } from 'crypto';
import { sha256Hex } from './crypto/sha256';
import { KmsError } from './errors';

/**
 * AWS Signature Version 4 for the emulator's callers, checked as KMS checks it: the credential scope (service `kms`,
 * the region served, the request's date), the time (±15 minutes of the emulator's clock), the headers a signature
 * must cover (`host`, `x-amz-date`, and `x-amz-target`, so a signature for ListKeys cannot be replayed as CreateKey),
 * and the signature itself over exactly the headers the client listed.
 *
 * The canonical request is built here rather than by re-signing with @smithy/signature-v4: that signer cannot be told
 * a header set. It drops `date` and any header it treats as unsignable (`user-agent`, `expect`, ...) unless listed in
 * options, and adds `x-amz-content-sha256` by default, so re-signing a boto3, AWS CLI or Go SDK request (which sign
 * `host;x-amz-date;x-amz-target` and sometimes `content-type`) produced another header list and failed. SigV4's
 * canonical form is short and fully specified; the tests cross-check it with the JS SDK's own signer.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @module
 */

/** What the Authorization header says about the caller. */
export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  /** SignedHeaders as the client wrote it (`host;x-amz-date;x-amz-target`). */
  readonly signedHeadersText: string;
  readonly signature: string;
}

/** KMS's signing name: a credential scoped to another service is refused. */
export const SIGNING_SERVICE = 'kms';
/** How far X-Amz-Date may be from the server's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** A region name as AWS spells them (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Headers every signature must cover. */
const REQUIRED_SIGNED: ReadonlyArray<[header: string, message: string]> = [
  ['host', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."],
  ['x-amz-date', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."],
  ['x-amz-target', "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."],
];
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

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
    signedHeaders: signedHeaderList(match[5]),
    signedHeadersText: match[5],
    signature: match[6],
  };
}

/**
 * SignedHeaders as a list, split once per distinct text: a client signs the same headers on every request. Frozen,
 * as every request with that text shares it; bounded like the signing keys.
 */
function signedHeaderList(text: string): string[] {
  let list = signedHeaderLists.get(text);
  if (!list) {
    list = Object.freeze(text.split(';')) as string[];
    if (signedHeaderLists.size >= SIGNING_KEY_CACHE_SIZE) signedHeaderLists.delete(signedHeaderLists.keys().next().value!);
    signedHeaderLists.set(text, list);
  }
  return list;
}

const signedHeaderLists = new Map<string, string[]>();

/** The parts of an incoming HTTP request the signature covers. */
export interface IncomingSignedRequest {
  readonly method: string;
  /** The request target as received: path and query string. */
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Verifies a request's SigV4 signature as KMS does: scope, time, required signed headers, then the signature over
 * exactly the headers the client listed, compared in constant time. Failures are KMS's InvalidSignatureException
 * (IncompleteSignatureException when no date header exists at all), worded as AWS words them.
 *
 * @param now the emulator's clock, in milliseconds since the epoch
 */
export function verifySignature(request: IncomingSignedRequest, credential: SigV4Credential, secretAccessKey: string, now: number): void {
  const amzDate = header(request.headers, 'x-amz-date');
  if (amzDate === undefined) {
    throw new KmsError('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  for (let i = 0; i < REQUIRED_SIGNED.length; i++) { // (indexed: the hot path, no iterator per request)
    if (!credential.signedHeaders.includes(REQUIRED_SIGNED[i][0])) throw new KmsError('InvalidSignatureException', REQUIRED_SIGNED[i][1]);
  }
  assertScope(credential, header(request.headers, 'host'));
  const signedAt = parseAmzDate(amzDate);
  if (amzDate.slice(0, 8) !== credential.date) {
    throw new KmsError('InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  assertCurrent(amzDate, signedAt, now);

  const a = signatureBytes(request, credential, secretAccessKey, amzDate);
  const b = Buffer.from(credential.signature, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new KmsError('InvalidSignatureException', MISMATCH);
}

/** The service must be KMS, and the region a region (the one the Host names, when it names one). */
function assertScope(credential: SigV4Credential, host: string | undefined): void {
  if (credential.service !== SIGNING_SERVICE) {
    throw new KmsError('InvalidSignatureException', `Credential should be scoped to correct service: '${SIGNING_SERVICE}'. `);
  }
  if (!REGION.test(credential.region)) throw new KmsError('InvalidSignatureException', 'Credential should be scoped to a valid region. ');
  const served = regionOfHost(host);
  if (served !== undefined && served !== credential.region) {
    throw new KmsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${credential.region}'. `);
  }
}

/**
 * The region a regional KMS host name serves (`kms.eu-west-1.amazonaws.com`, `kms-fips.us-east-1.amazonaws.com`,
 * or the same shape on a local name such as `kms.eu-west-1.localhost.localstack.cloud`). Undefined for a bare host
 * (`127.0.0.1:4599`): then the emulator serves the region the credential is scoped to.
 */
export function regionOfHost(host: string | undefined): string | undefined {
  const match = /^kms(?:-fips)?\.([a-z0-9-]+)\./.exec(host ?? '');
  return match && REGION.test(match[1]) ? match[1] : undefined;
}

function assertCurrent(amzDate: string, signedAt: number, now: number): void {
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    throw new KmsError('InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`);
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new KmsError('InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`);
  }
}

/** The signature SigV4 defines for this request over the client's SignedHeaders, in hex. */
export function signatureOf(request: IncomingSignedRequest, credential: SigV4Credential, secretAccessKey: string, amzDate: string): string {
  return signatureBytes(request, credential, secretAccessKey, amzDate).toString('hex');
}

/** {@link signatureOf} as bytes (what verification compares). */
function signatureBytes(request: IncomingSignedRequest, credential: SigV4Credential, secretAccessKey: string, amzDate: string): Buffer {
  const query = request.path.indexOf('?');
  const rawPath = query < 0 ? request.path : request.path.slice(0, query);
  const rawQuery = query < 0 ? '' : request.path.slice(query + 1).split('?', 1)[0];
  const names = credential.signedHeaders;
  let canonicalRequest = `${request.method}\n${canonicalPath(rawPath)}\n${canonicalQuery(rawQuery)}\n`;
  for (let i = 0; i < names.length; i++) canonicalRequest += `${names[i]}:${canonicalValue(header(request.headers, names[i].toLowerCase()))}\n`;
  canonicalRequest += `\n${credential.signedHeadersText}\n${sha256Hex(request.body)}`;
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', signingKey(secretAccessKey, credential)).update(stringToSign, 'utf8').digest();
}

/** Signing keys kept; a caller's key changes once a day, so a few hundred cover every caller of a busy day. */
export const SIGNING_KEY_CACHE_SIZE = 512;
const signingKeys = new Map<string, Buffer>();
let derivations = 0;

/**
 * The SigV4 signing key, HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"): four
 * HMACs that depend only on the secret and the credential scope, so it is derived once per secret, date, region and
 * service and kept (bounded; the oldest goes first), as the SDKs' signers keep theirs.
 */
function signingKey(secretAccessKey: string, credential: SigV4Credential): Buffer {
  const id = `${credential.date}\0${credential.region}\0${credential.service}\0${secretAccessKey}`;
  let key = signingKeys.get(id);
  if (key) return key;
  derivations++;
  key = hmac(`AWS4${secretAccessKey}`, credential.date);
  for (const part of [credential.region, credential.service, 'aws4_request']) key = hmac(key, part);
  if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.delete(signingKeys.keys().next().value!);
  signingKeys.set(id, key);
  return key;
}

/** How many signing keys were derived since the process started (tests read it to see the cache at work). */
export function signingKeyDerivations(): number {
  return derivations;
}

/** Header values: multiple values joined by commas, runs of spaces collapsed, ends trimmed. */
function canonicalValue(value: string | undefined): string {
  if (value === undefined) return '';
  return SPACES_TO_COLLAPSE.test(value) ? value.replace(/\s+/g, ' ').trim() : value; // most values need neither
}

/** Anything canonicalValue would change: a leading or trailing space, a run of spaces, or a space that is not ' '. */
const SPACES_TO_COLLAPSE = /^\s|\s$|\s\s|[^\S ]/;

/** Each path segment URI-encoded (again: non-S3 services sign the encoded path), `/` kept; empty path is `/`. */
function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  return path.split('/').map(segment => uriEncode(segment)).join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query.split('&').filter(p => p !== '').map(pair => {
    const [k, v = ''] = pair.split('=', 2).map(s => uriEncode(safeDecode(s)));
    return [k, v] as const;
  }).sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
}

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 requires. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function header(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.map(v => v.trim()).join(',') : value;
}

/** `20260101T000000Z` -> milliseconds since the epoch. */
function parseAmzDate(value: string): number {
  if (value === lastAmzDate) return lastAmzTime; // a busy client signs many requests within one second
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new KmsError('IncompleteSignatureException', `X-Amz-Date ${value} is not in the form YYYYMMDDTHHMMSSZ`);
  lastAmzTime = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  lastAmzDate = value;
  return lastAmzTime;
}

let lastAmzDate = '';
let lastAmzTime = 0;

/** milliseconds -> `20260101T000000Z`. */
function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
