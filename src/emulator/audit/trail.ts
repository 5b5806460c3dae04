import { closeSync, openSync, writeSync } from 'fs';
import { AuditAuthorization, AuditEvent, auditEventWith, AuditStatementRef, FinishedRequest, KEY_USE_OPERATIONS, recordedParameters } from './event';

/**
 * The emulator's record of every KMS request: kept in memory (at least the newest {@link AUDIT_MEMORY_SIZE} events), appended
 * to a JSON-lines file when one is given (`--audit-log FILE`, one event a line, written before the response is
 * sent), and summarised as call counts per key and operation and as the set of statements that ever decided an
 * allowed request, neither of which forgets (the unused-access findings need the whole run).
 * @module
 */

/** How many of the newest events the in-memory trail keeps at least (the file keeps all of them). */
export const AUDIT_MEMORY_SIZE = 20_000;
/** Old events are dropped this many at a time, so recording stays O(1) amortized. */
const DROP_BATCH = 1000;

/** Calls of one operation on one key (`*` for operations without a key). */
export interface AuditCount {
  readonly keyArn: string;
  readonly operation: string;
  readonly calls: number;
  readonly errors: number;
  readonly throttled: number;
}

/** Which events to read. */
export interface AuditFilter {
  /** Only events that name this key ARN among their resources. */
  readonly keyArn?: string;
  /** Only events of this caller ARN. */
  readonly principalArn?: string;
  readonly eventName?: string;
  /** `true`: only failed requests; `false`: only successful ones. */
  readonly failed?: boolean;
}

export class AuditTrail {
  private readonly memory: RecordedEvent[] = [];
  /**
   * By operation, then key ARN: two lookups of strings the request already has (no slot string made per request),
   * and a new key (CreateKey) adds an entry, not a map.
   */
  private readonly counters = new Map<string, Map<string, { keyArn: string; operation: string; calls: number; errors: number; throttled: number }>>();
  /** `key-policy|<keyArn>|<index>`, `identity-policy|<callerArn>|<policy>|<index>`, `grant|<grantId>`. */
  private readonly decidingAllows = new Set<string>();
  /** Keys that served a successful cryptographic request (KEY_USE_OPERATIONS). */
  private readonly usedKeys = new Set<string>();
  /** Deciding statements already counted in {@link decidingAllows}, by statements, resource and caller. */
  private readonly counted = new WeakMap<readonly AuditStatementRef[], Map<string, Set<string | undefined>>>();
  private fd?: number;

  constructor(logFile?: string) {
    if (logFile) this.fd = openSync(logFile, 'a', 0o600);
  }

  /**
   * Records one finished request: memory, counters, the deciding statements, and the log file. The CloudTrail-shaped
   * event (an id, a date string, the parameters copied through the allowlist...) is made when something reads it,
   * the log file at once, else the first {@link events} call: most events of a busy run are never read, and making
   * each was a twentieth of a request's time.
   */
  public record(request: FinishedRequest): void {
    this.memory.push(new RecordedEvent(request));
    if (this.memory.length >= AUDIT_MEMORY_SIZE + DROP_BATCH) this.memory.splice(0, DROP_BATCH);
    const keys = request.resources.length ? request.resources : NO_RESOURCE;
    const errorCode = request.error?.code;
    for (let i = 0; i < keys.length; i++) {
      const keyArn = keys[i];
      if (keys.indexOf(keyArn) < i) continue; // named before (a key is named when resolved and again when authorized)
      let ofOperation = this.counters.get(request.operation);
      if (!ofOperation) this.counters.set(request.operation, ofOperation = new Map());
      let count = ofOperation.get(keyArn);
      if (!count) ofOperation.set(keyArn, count = { keyArn, operation: request.operation, calls: 0, errors: 0, throttled: 0 });
      count.calls++;
      if (errorCode) count.errors++;
      if (errorCode === 'ThrottlingException') count.throttled++;
      if (!errorCode && KEY_USE_OPERATIONS.has(request.operation) && keyArn !== '*') this.usedKeys.add(keyArn);
    }
    // userIdentityOf's arn, without making the identity: a service principal (no account) and an unknown caller have none.
    const callerArn = request.callerAccount ? request.callerArn : undefined;
    for (const authorization of request.authorizations) {
      if (!authorization.allowed || authorization.decidingStatements.length === 0 || this.alreadyCounted(authorization, callerArn)) continue;
      for (const s of authorization.decidingStatements) {
        if (s.source === 'key-policy') this.decidingAllows.add(`key-policy|${authorization.resource}|${s.statementIndex}`);
        else if (s.source === 'identity-policy') this.decidingAllows.add(`identity-policy|${callerArn}|${s.policyName}|${s.statementIndex}`);
        else this.decidingAllows.add(`grant|${s.policyName}`);
      }
    }
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(this.memory[this.memory.length - 1].event)}\n`);
  }

  /**
   * Whether these deciding statements already decided an allowed request on this resource for this caller (so
   * their slots are in {@link decidingAllows}). A cached decision's statements are the same array every time
   * (audit/event.ts `decidingStatements`), so a repeated request finds them here by identity, without building
   * its slot strings again.
   */
  private alreadyCounted(authorization: AuditAuthorization, callerArn: string | undefined): boolean {
    let byResource = this.counted.get(authorization.decidingStatements);
    if (!byResource) this.counted.set(authorization.decidingStatements, byResource = new Map());
    let callers = byResource.get(authorization.resource);
    if (!callers) byResource.set(authorization.resource, callers = new Set());
    if (callers.has(callerArn)) return true;
    callers.add(callerArn);
    return false;
  }

  /** The events in memory, oldest first, optionally filtered. */
  public events(filter: AuditFilter = {}): AuditEvent[] {
    return this.memory.map(r => r.event).filter(e =>
      (filter.keyArn === undefined || e.resources.some(r => r.ARN === filter.keyArn))
      && (filter.principalArn === undefined || (e.userIdentity.arn ?? e.userIdentity.invokedBy) === filter.principalArn)
      && (filter.eventName === undefined || e.eventName === filter.eventName)
      && (filter.failed === undefined || Boolean(e.errorCode) === filter.failed));
  }

  /** Calls per key and operation over the whole run (not only the events still in memory). */
  public counts(): AuditCount[] {
    return [...this.counters.values()].flatMap(ofOperation => [...ofOperation.values()]).map(c => ({ ...c }))
      .sort((a, b) => a.keyArn.localeCompare(b.keyArn) || a.operation.localeCompare(b.operation));
  }

  /** Whether the statement (or grant) ever decided an allowed request. */
  public hasAllowed(slot: string): boolean {
    return this.decidingAllows.has(slot);
  }

  /** Whether the key served a successful cryptographic request. */
  public wasUsed(keyArn: string): boolean {
    return this.usedKeys.has(keyArn);
  }

  /** Closes the log file. */
  public close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const NO_AUTHORIZATIONS: readonly AuditAuthorization[] = Object.freeze([]);

/**
 * A request's authorizations as its event keeps them. Most requests make one, whose record is shared by every
 * request the same cached decision allowed (audit/event.ts `auditAuthorization`): so is the one-entry list.
 */
function keptAuthorizations(authorizations: readonly AuditAuthorization[]): readonly AuditAuthorization[] {
  if (authorizations.length === 0) return NO_AUTHORIZATIONS;
  if (authorizations.length > 1) return authorizations.slice();
  let list = SINGLE.get(authorizations[0]);
  if (list === undefined) SINGLE.set(authorizations[0], list = Object.freeze([authorizations[0]]));
  return list;
}

const SINGLE = new WeakMap<AuditAuthorization, readonly AuditAuthorization[]>();

/** A list without repeats, in order, in an array of its own size. */
function distinct(items: readonly string[]): readonly string[] {
  if (items.length === 2 && items[0] === items[1]) return [items[0]]; // a key resolved, then authorized: the usual case
  return items.filter((item, i) => items.indexOf(item) === i);
}

/** The resource counted for a request that names no key. */
const NO_RESOURCE: readonly string[] = Object.freeze(['*']);

/**
 * A finished request and, once read, its event (made once, so its id never changes). The request's parameters are
 * copied through the allowlist at once: the request's own input (its plaintext, say) is not kept. The request's
 * fields are this object's own (one object kept per request, not two: the in-memory trail holds tens of thousands).
 */
class RecordedEvent implements Omit<FinishedRequest, 'input'> {
  public readonly time: number;
  public readonly operation: string;
  public readonly region: string;
  public readonly sourceIp: string;
  public readonly accessKeyId?: string;
  public readonly callerArn?: string;
  public readonly callerAccount?: string;
  public readonly viaService?: string;
  public readonly resources: readonly string[];
  public readonly authorizations: readonly AuditAuthorization[];
  public readonly error?: { readonly code: string; readonly message: string };
  private readonly parameters: Record<string, unknown> | null;
  private made?: AuditEvent;

  constructor(request: FinishedRequest) {
    this.time = request.time;
    this.operation = request.operation;
    this.region = request.region;
    this.sourceIp = request.sourceIp;
    this.accessKeyId = request.accessKeyId;
    this.callerArn = request.callerArn;
    this.callerAccount = request.callerAccount;
    this.viaService = request.viaService;
    // Kept at their size (a list grown by push holds room for 17): the trail keeps tens of thousands of these.
    this.resources = distinct(request.resources);
    this.authorizations = keptAuthorizations(request.authorizations);
    this.error = request.error;
    this.parameters = recordedParameters(request.input);
  }

  public get event(): AuditEvent {
    return this.made ??= auditEventWith(this, this.parameters);
  }
}
