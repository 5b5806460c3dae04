import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { evaluateAuthorization } from './authz';
import { Authorizer } from './authz/types';
import { Clock, SystemClock } from './clock';
import { EmulatorConfig, loadConfig, PrincipalConfig } from './config';
import { OperationContext } from './context';
import { EmulatorCore, RecordedDecision } from './core';
import { KmsError } from './errors';
import { IdentityRegistry } from './identity';
import { applyElapsedTime } from './lifecycle';
import { isOperationName, OPERATIONS } from './operations';
import { parseAuthorization, verifySignature } from './sigv4';
import { Store } from './store';

/** KMS request bodies are small; anything larger is refused before it is read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'TrentService.';
/** Emulator-only headers (never needed by a real client). */
export const VIA_SERVICE_HEADER = 'x-guarded-keys-via-service';
export const SOURCE_IP_HEADER = 'x-guarded-keys-source-ip';

/** How to start an emulator. */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 lets the system pick a free port. @default 0 */
  readonly port?: number;
  /** Principals, as an object or a path to a JSON file. @default - any credentials act as the root of 000000000000 */
  readonly config?: EmulatorConfig | string;
  /** @default - the system clock */
  readonly clock?: Clock;
  /** Makes state durable across restarts and crashes. @default - in memory */
  readonly dataDir?: string;
  /**
   * Decides every request. Pass `allowAll` to turn enforcement off.
   * @default - KMS's authorization: key policies, IAM identity policies and grants (`evaluateAuthorization`)
   */
  readonly authorizer?: Authorizer;
  /** Log every authorization decision to stderr (also `GUARDED_KEYS_DEBUG=authz`). @default false */
  readonly debug?: boolean;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://HOST:PORT`, for `new KMSClient({ endpoint })`. */
  readonly endpoint: string;
  readonly port: number;
  readonly clock: Clock;
  /** Stops listening and closes the journal. */
  stop(): Promise<void>;
  /** Registers a principal (local deployments create one per IAM role). */
  addPrincipal(principal: PrincipalConfig): void;
  /** Replaces the authorizer (e.g. to turn enforcement on). */
  setAuthorizer(authorizer: Authorizer): void;
  /** Recent authorization decisions, oldest first, with the evaluator's explanation. */
  decisions(): readonly RecordedDecision[];
}

/** Starts a KMS emulator speaking the JSON 1.1 protocol on `host:port`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? new SystemClock();
  const identities = new IdentityRegistry(loadConfig(options.config));
  const store = new Store(options.dataDir);
  const debug = options.debug ?? process.env.GUARDED_KEYS_DEBUG?.split(',').includes('authz') ?? false;
  const core = new EmulatorCore(store, clock, identities, options.authorizer ?? evaluateAuthorization, debug);
  const server = createServer((req, res) => {
    handle(core, req, res).catch(err => respond(res, internal(err)));
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    clock,
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections?.();
      server.close(err => {
        store.close();
        if (err) reject(err);
        else resolve();
      });
    }),
    addPrincipal: p => identities.add(p),
    setAuthorizer: a => { core.authorizer = a; },
    decisions: () => core.decisions(),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One request: read (bounded), authenticate, dispatch, make durable, answer. */
async function handle(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('date', new Date(core.clock.now()).toUTCString()); // the emulator's clock, so SDKs correct their skew to it
  let body: string;
  try {
    body = await readBody(req);
  } catch (err) {
    respond(res, err instanceof KmsError ? err : internal(err));
    return;
  }
  try {
    if (req.method !== 'POST') throw new KmsError('UnsupportedOperationException', `KMS accepts POST requests only. Received: ${req.method}`);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const credential = parseAuthorization(req.headers.authorization);
    const principal = core.identities.lookup(credential.accessKeyId)!;
    if (core.identities.configured) {
      verifySignature({ method: req.method, path: req.url ?? '/', headers: req.headers, body }, credential, principal.secretAccessKey, core.clock.now());
    }
    if (target === ADMIN_ADD_PRINCIPAL) {
      addPrincipalOverHttp(core, principal.identity.arn, body);
      respond(res, undefined, {});
      return;
    }
    if (!isOperationName(operation)) {
      throw new KmsError('UnsupportedOperationException', `The emulator does not support the operation ${operation || '(no X-Amz-Target)'}.`);
    }
    const input = parseInput(body);
    applyElapsedTime(core.store, core.clock.now());
    const ctx = new OperationContext(core, {
      operation,
      caller: principal.identity,
      region: credential.region,
      viaService: headerValue(req, VIA_SERVICE_HEADER),
      sourceIp: headerValue(req, SOURCE_IP_HEADER) ?? normalizeIp(req.socket.remoteAddress),
    });
    const output = OPERATIONS[operation](ctx, input);
    core.store.flush();
    respond(res, undefined, output);
  } catch (err) {
    // Memory is the truth: whatever changed before the failure (a rotation or deletion that came due, say) is
    // journaled too, or a later acknowledged request could depend on state that a restart would lose.
    try {
      core.store.flush();
    } catch (flushError) {
      respond(res, internal(flushError));
      return;
    }
    respond(res, err instanceof KmsError ? err : internal(err));
  }
}

/**
 * The emulator-only admin API for `guarded-keys deploy` over HTTP: registers a principal. Only an account root
 * may call it (with no configured principal, every caller is the default root). Never part of real KMS.
 */
export const ADMIN_ADD_PRINCIPAL = 'GuardedKeys.AddPrincipal';

function addPrincipalOverHttp(core: EmulatorCore, callerArn: string, body: string): void {
  if (!/:root$/.test(callerArn)) {
    throw new KmsError('AccessDeniedException', `User: ${callerArn} is not authorized to perform: ${ADMIN_ADD_PRINCIPAL} (only an account root may register principals)`);
  }
  const input = parseInput(body) as unknown as PrincipalConfig;
  try {
    loadConfig({ principals: [input] });
  } catch (err) {
    throw new KmsError('ValidationException', (err as Error).message);
  }
  core.identities.add(input);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(new KmsError('ValidationException', `Request body of ${declared} bytes is larger than ${MAX_BODY_BYTES}.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new KmsError('ValidationException', `Request body is larger than ${MAX_BODY_BYTES} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseInput(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    throw new KmsError('SerializationException', 'Start of structure or map found where not expected, or the body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new KmsError('SerializationException', 'The request body must be a JSON object.');
  }
  return input as Record<string, unknown>;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function normalizeIp(address: string | undefined): string {
  return (address ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** Anything that is not a KmsError is the emulator's fault: KMSInternalException, 500, no detail leaked. */
function internal(err: unknown): KmsError {
  if (process.env.GUARDED_KEYS_DEBUG) process.stderr.write(`[guarded-keys] internal error: ${(err as Error)?.stack ?? err}\n`);
  return new KmsError('KMSInternalException', 'The request was rejected because of an internal exception in the emulator.');
}

function respond(res: ServerResponse, error: KmsError | undefined, output?: Record<string, unknown>): void {
  if (res.headersSent) return;
  const payload = error ? { __type: error.code, message: error.message } : output ?? {};
  const text = JSON.stringify(payload);
  res.writeHead(error ? error.status : 200, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(error ? { 'x-amzn-errortype': error.code } : {}),
  });
  res.end(text);
}

