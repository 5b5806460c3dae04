import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { ADMIN_ADD_PRINCIPAL, ADMIN_TARGET_PREFIX, assertAdminCaller, ResolvedAdmin, resolveAdmin, runAdminAction } from './admin';
import { principalOf, putStackState, removePrincipal, stackStateOf } from './admin-state';
import { AuditEvent, FinishedRequest } from './audit/event';
import { AuditCount, AuditFilter, AuditTrail } from './audit/trail';
import { unusedAccess, UnusedAccess } from './audit/unused';
import { evaluateAuthorization } from './authz';
import { Authorizer } from './authz/types';
import { expireImportedMaterial } from './byok/material';
import { Clock, SystemClock } from './clock';
import { EmulatorConfig, loadConfig, PrincipalConfig } from './config';
import { OperationContext } from './context';
import { EmulatorCore, RecordedDecision } from './core';
import { KmsError } from './errors';
import { IdentityRegistry } from './identity';
import { applyElapsedTime } from './lifecycle';
import { isOperationName, OPERATIONS } from './operations';
import { QuotaOptions, RequestQuotas } from './quotas';
import { parseAuthorization, verifySignature } from './sigv4';
import { Store } from './store';

/** KMS request bodies are small; anything larger is refused before it is read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'TrentService.';
/** Emulator-only headers (never needed by a real client). */
export const VIA_SERVICE_HEADER = 'x-guarded-keys-via-service';
export const SOURCE_IP_HEADER = 'x-guarded-keys-source-ip';
export const SOURCE_ARN_HEADER = 'x-guarded-keys-source-arn';
export const SOURCE_ACCOUNT_HEADER = 'x-guarded-keys-source-account';

/** How to start an emulator. */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 lets the system pick a free port. @default 0 */
  readonly port?: number;
  /**
   * Principals and the admin credential, as an object or a path to a JSON file.
   * @default - any credentials act as the root of 000000000000; the admin credential is generated
   */
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
  /**
   * Appends every KMS request to this file as a CloudTrail-shaped JSON line (docs/audit.md).
   * @default - the trail is kept in memory only
   */
  readonly auditLog?: string;
  /**
   * Applies KMS's documented request quotas, scaled, answering ThrottlingException (docs/emulator.md, quotas).
   * @default - no throttling
   */
  readonly quotas?: QuotaOptions;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://HOST:PORT`, for `new KMSClient({ endpoint })`. */
  readonly endpoint: string;
  readonly port: number;
  readonly clock: Clock;
  /**
   * The credential of the emulator-only admin API (`GuardedKeys.AddPrincipal`, used by `guarded-keys deploy`):
   * the configuration's, else the one kept in the data directory, else a new one.
   */
  readonly admin: ResolvedAdmin;
  /** Stops listening and closes the journal. */
  stop(): Promise<void>;
  /** Registers a principal (local deployments create one per IAM role), validated as the configuration file is and kept in the data directory. */
  addPrincipal(principal: PrincipalConfig): void;
  /** A principal registered at run time, by access key id. */
  principal(accessKeyId: string): PrincipalConfig | undefined;
  /** Forgets a principal registered at run time. */
  removePrincipal(accessKeyId: string): void;
  /** A local deployment's state of one stack (undefined before its first deployment). */
  stackState(account: string, region: string, stackName: string): unknown;
  /** Stores a local deployment's state of one stack (undefined forgets it). */
  putStackState(account: string, region: string, stackName: string, state: unknown): void;
  /** Replaces the authorizer (e.g. to turn enforcement on). */
  setAuthorizer(authorizer: Authorizer): void;
  /** Recent authorization decisions, oldest first, with the evaluator's explanation. */
  decisions(): readonly RecordedDecision[];
  /** The audit trail: every KMS request as a CloudTrail-shaped event, oldest first (docs/audit.md). */
  auditTrail(filter?: AuditFilter): AuditEvent[];
  /** Calls per key and operation over the whole run. */
  auditCounts(): AuditCount[];
  /** Keys never used, and Allow statements and grants that never decided an allowed request. */
  unusedAccess(): UnusedAccess;
}

/** Starts a KMS emulator speaking the JSON 1.1 protocol on `host:port`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? new SystemClock();
  const quotas = options.quotas ? new RequestQuotas(options.quotas) : undefined;
  const config = loadConfig(options.config);
  const identities = new IdentityRegistry(config);
  const audit = new AuditTrail(options.auditLog); // an audit log that cannot be opened stops the start first
  // The store first: a journal it refuses stops the start before anything is written to the data directory.
  let store: Store;
  try {
    store = new Store(options.dataDir);
  } catch (err) {
    audit.close();
    throw err;
  }
  let admin: ResolvedAdmin;
  try {
    admin = resolveAdmin(config.admin, options.dataDir);
  } catch (err) {
    store.close();
    audit.close();
    throw err;
  }
  for (const principal of store.principals.values()) identities.add(principal);
  const debug = options.debug ?? process.env.GUARDED_KEYS_DEBUG?.split(',').includes('authz') ?? false;
  const core = new EmulatorCore(store, clock, identities, options.authorizer ?? evaluateAuthorization, debug, audit);
  const server = createServer((req, res) => {
    // A callback, not a promise: nothing after the body arrives awaits, and an async handler cost a promise and a
    // microtask per request.
    readBody(req, (err, body) => {
      try {
        if (err !== undefined) respond(res, clock, err instanceof KmsError ? err : internal(err));
        else handle(core, admin, req, res, body!, quotas);
      } catch (unexpected) {
        respond(res, clock, internal(unexpected));
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  try {
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    store.close();
    audit.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    clock,
    admin,
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections?.();
      server.close(err => {
        store.close();
        core.audit.close();
        if (err) reject(err);
        else resolve();
      });
    }),
    addPrincipal: p => durably(store, () => runAdminAction(ADMIN_ADD_PRINCIPAL, p as unknown as Record<string, unknown>, core, admin)),
    principal: accessKeyId => principalOf(store, accessKeyId),
    removePrincipal: accessKeyId => durably(store, () => removePrincipal(store, identities, accessKeyId)),
    stackState: (account, region, stackName) => stackStateOf(store, account, region, stackName),
    putStackState: (account, region, stackName, state) => durably(store, () => putStackState(store, account, region, stackName, state)),
    setAuthorizer: a => { core.authorizer = a; },
    decisions: () => core.decisions(),
    auditTrail: filter => core.audit.events(filter),
    auditCounts: () => core.audit.counts(),
    unusedAccess: () => unusedAccess(core.audit, core.store, core.identities.principals()),
  };
}

/** An in-process admin change, journaled before it returns (as a request is before it is answered). */
function durably(store: Store, change: () => void): void {
  change();
  store.flush();
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

/**
 * One request whose body has been read: authenticate, dispatch, make durable, answer. Nothing in it awaits, so
 * requests never interleave their changes and each is journaled as one line.
 */
function handle(core: EmulatorCore, admin: ResolvedAdmin, req: IncomingMessage, res: ServerResponse, body: string, quotas?: RequestQuotas): void {
  const started = core.clock.now();
  const audit: { -readonly [K in keyof FinishedRequest]?: FinishedRequest[K] } = { sourceIp: normalizeIp(req.socket.remoteAddress) };
  let ctx: OperationContext | undefined;
  try {
    if (req.method !== 'POST') throw new KmsError('UnsupportedOperationException', `KMS accepts POST requests only. Received: ${req.method}`);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = interned(target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target);
    if (!target.startsWith(ADMIN_TARGET_PREFIX)) audit.operation = operation;
    const credential = parseAuthorization(req.headers.authorization);
    const signed = { method: req.method, path: req.url ?? '/', headers: req.headers, body };
    if (target.startsWith(ADMIN_TARGET_PREFIX)) {
      // The admin's signature is always verified, even while no principal is configured.
      assertAdminCaller(credential.accessKeyId, admin, target);
      verifySignature(signed, credential, admin.secretAccessKey, core.clock.now());
      const output = runAdminAction(target, parseInput(body), core, admin);
      core.store.flush();
      respond(res, core.clock, undefined, output);
      return;
    }
    if (credential.accessKeyId === admin.accessKeyId) {
      throw new KmsError('UnrecognizedClientException', 'The emulator\'s admin credential is for its GuardedKeys.* API only, not for KMS operations.');
    }
    const region = interned(credential.region);
    audit.accessKeyId = interned(credential.accessKeyId);
    audit.region = region;
    const principal = core.identities.lookup(credential.accessKeyId)!;
    audit.callerArn = principal.identity.arn;
    audit.callerAccount = principal.identity.accountId;
    if (core.identities.configured) verifySignature(signed, credential, principal.secretAccessKey, core.clock.now());
    if (!isOperationName(operation)) {
      throw new KmsError('UnsupportedOperationException', `The emulator does not support the operation ${operation || '(no X-Amz-Target)'}.`);
    }
    const input = parseInput(body);
    const viaService = headerValue(req, VIA_SERVICE_HEADER);
    const sourceIp = headerValue(req, SOURCE_IP_HEADER) ?? audit.sourceIp!;
    audit.input = input;
    audit.viaService = viaService;
    audit.sourceIp = sourceIp;
    applyElapsedTime(core.store, core.clock.now());
    expireImportedMaterial(core.store, core.clock.now());
    ctx = new OperationContext(core, {
      operation,
      caller: principal.identity,
      region,
      viaService,
      sourceIp,
      sourceArn: headerValue(req, SOURCE_ARN_HEADER),
      sourceAccount: headerValue(req, SOURCE_ACCOUNT_HEADER),
    });
    quotas?.admit(ctx, operation, input);
    const output = OPERATIONS[operation](ctx, input);
    core.store.flush();
    recordAudit(core, started, audit, ctx, undefined, output);
    respond(res, core.clock, undefined, output);
  } catch (err) {
    // Whatever changed before the failure (a rotation or deletion that came due, say) is journaled too, or a later
    // acknowledged request could depend on state that a restart would lose. If that write fails, the store has put
    // memory back as it was, and the request fails as the emulator's fault (KMSInternalException, 500).
    try {
      core.store.flush();
    } catch (flushError) {
      const failure = flushError instanceof KmsError ? flushError : internal(flushError);
      if (audit.operation !== undefined) recordAudit(core, started, audit, ctx, failure);
      respond(res, core.clock, failure);
      return;
    }
    const failure = err instanceof KmsError ? err : internal(err);
    if (audit.operation !== undefined) recordAudit(core, started, audit, ctx, failure);
    respond(res, core.clock, failure);
  }
}

/**
 * One request's audit event, recorded before the answer is sent. The admin API is not KMS and is not recorded;
 * a KMS request that failed authentication is, with what little is known of its caller.
 */
function recordAudit(
  core: EmulatorCore, time: number, audit: Partial<FinishedRequest>, ctx: OperationContext | undefined,
  error?: KmsError, output?: Record<string, unknown>,
): void {
  const created = (output?.KeyMetadata as { Arn?: string } | undefined)?.Arn;
  const named = ctx?.resources ?? NO_RESOURCES; // the request is over: its list is not added to again
  core.audit.record({
    time,
    operation: audit.operation ?? '',
    region: audit.region ?? 'us-east-1',
    sourceIp: audit.sourceIp ?? '127.0.0.1',
    accessKeyId: audit.accessKeyId,
    callerArn: audit.callerArn,
    callerAccount: audit.callerAccount,
    viaService: audit.viaService,
    input: audit.input,
    resources: created ? [...named, created] : named,
    authorizations: ctx?.authorizations ?? [],
    error: error ? { code: error.code, message: error.message } : undefined,
  });
}

const NO_RESOURCES: readonly string[] = Object.freeze([]);

/**
 * One copy of each short name requests repeat (operation, region, access key id): a request's own copy is then
 * garbage at once instead of kept by its audit record. Bounded: names past the bound are simply not shared.
 */
function interned(text: string): string {
  const known = INTERNED.get(text);
  if (known !== undefined) return known;
  if (INTERNED.size < INTERNED_MAX) INTERNED.set(text, text);
  return text;
}

const INTERNED = new Map<string, string>();
const INTERNED_MAX = 4096;

/** Reads a request body (bounded) and calls `done` once: with the body, or with the error that ended the read. */
function readBody(req: IncomingMessage, done: (err: unknown, body?: string) => void): void {
  let finished = false;
  const finish = (err: unknown, body?: string) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    finish(new KmsError('ValidationException', `Request body of ${declared} bytes is larger than ${MAX_BODY_BYTES}.`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.destroy();
      finish(new KmsError('ValidationException', `Request body is larger than ${MAX_BODY_BYTES} bytes.`));
      return;
    }
    chunks.push(chunk);
  });
  // A KMS request body nearly always arrives as one chunk: decode it without copying it into a new buffer first.
  req.on('end', () => finish(undefined, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
  req.on('error', err => finish(err ?? new Error('request error')));
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

/**
 * One answer, written once: the headers go to writeHead as one flat list (node then stores them without a
 * per-header object and validation pass), and the body with them in the same write. The `date` header is the
 * emulator's clock, so SDKs correct their skew to it; its text changes once a second.
 */
function respond(res: ServerResponse, clock: Clock, error: KmsError | undefined, output?: Record<string, unknown>): void {
  if (res.headersSent) return;
  const payload = error ? { __type: error.code, message: error.message } : output ?? {};
  const text = JSON.stringify(payload);
  const headers = [
    'content-type', 'application/x-amz-json-1.1',
    'content-length', String(Buffer.byteLength(text)),
    'x-amzn-requestid', randomUUID(),
    'date', httpDate(clock.now()),
  ];
  if (error) headers.push('x-amzn-errortype', error.code);
  res.writeHead(error ? error.status : 200, headers);
  res.end(text);
}

let dateSecond = NaN;
let dateText = '';

/** The HTTP date of a time, kept for the second it names. */
function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}
