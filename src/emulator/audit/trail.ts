import { closeSync, openSync, writeSync } from 'fs';
import { AuditEvent, auditEventWith, FinishedRequest, KEY_USE_OPERATIONS, recordedParameters, userIdentityOf } from './event';

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
  private readonly counters = new Map<string, { keyArn: string; operation: string; calls: number; errors: number; throttled: number }>();
  /** `key-policy|<keyArn>|<index>`, `identity-policy|<callerArn>|<policy>|<index>`, `grant|<grantId>`. */
  private readonly decidingAllows = new Set<string>();
  /** Keys that served a successful cryptographic request (KEY_USE_OPERATIONS). */
  private readonly usedKeys = new Set<string>();
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
    const keys = request.resources.length ? new Set(request.resources) : ['*'];
    const errorCode = request.error?.code;
    for (const keyArn of keys) {
      const slot = `${keyArn}|${request.operation}`;
      let count = this.counters.get(slot);
      if (!count) this.counters.set(slot, count = { keyArn, operation: request.operation, calls: 0, errors: 0, throttled: 0 });
      count.calls++;
      if (errorCode) count.errors++;
      if (errorCode === 'ThrottlingException') count.throttled++;
      if (!errorCode && KEY_USE_OPERATIONS.has(request.operation) && keyArn !== '*') this.usedKeys.add(keyArn);
    }
    const callerArn = userIdentityOf(request.callerArn, request.callerAccount, request.accessKeyId).arn;
    for (const authorization of request.authorizations) {
      if (!authorization.allowed) continue;
      for (const s of authorization.decidingStatements) {
        if (s.source === 'key-policy') this.decidingAllows.add(`key-policy|${authorization.resource}|${s.statementIndex}`);
        else if (s.source === 'identity-policy') this.decidingAllows.add(`identity-policy|${callerArn}|${s.policyName}|${s.statementIndex}`);
        else this.decidingAllows.add(`grant|${s.policyName}`);
      }
    }
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(this.memory[this.memory.length - 1].event)}\n`);
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
    return [...this.counters.values()].map(c => ({ ...c }))
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

/**
 * A finished request and, once read, its event (made once, so its id never changes). The request's parameters are
 * copied through the allowlist at once: the request's own input (its plaintext, say) is not kept.
 */
class RecordedEvent {
  private made?: AuditEvent;
  private readonly request: Omit<FinishedRequest, 'input'>;
  private readonly parameters: Record<string, unknown> | null;

  constructor({ input, ...request }: FinishedRequest) {
    this.request = request;
    this.parameters = recordedParameters(input);
  }

  public get event(): AuditEvent {
    return this.made ??= auditEventWith(this.request, this.parameters);
  }
}
