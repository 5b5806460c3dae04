import { closeSync, openSync, writeSync } from 'fs';
import { AuditEvent, KEY_USE_OPERATIONS } from './event';

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
  private readonly memory: AuditEvent[] = [];
  private readonly counters = new Map<string, { keyArn: string; operation: string; calls: number; errors: number; throttled: number }>();
  /** `key-policy|<keyArn>|<index>`, `identity-policy|<callerArn>|<policy>|<index>`, `grant|<grantId>`. */
  private readonly decidingAllows = new Set<string>();
  /** Keys that served a successful cryptographic request (KEY_USE_OPERATIONS). */
  private readonly usedKeys = new Set<string>();
  private fd?: number;

  constructor(logFile?: string) {
    if (logFile) this.fd = openSync(logFile, 'a', 0o600);
  }

  /** Records one event: memory, counters, the deciding statements, and the log file. */
  public record(event: AuditEvent): void {
    this.memory.push(event);
    if (this.memory.length >= AUDIT_MEMORY_SIZE + DROP_BATCH) this.memory.splice(0, DROP_BATCH);
    const keys = event.resources.length ? event.resources.map(r => r.ARN) : ['*'];
    for (const keyArn of keys) {
      const slot = `${keyArn}|${event.eventName}`;
      const count = this.counters.get(slot) ?? { keyArn, operation: event.eventName, calls: 0, errors: 0, throttled: 0 };
      count.calls++;
      if (event.errorCode) count.errors++;
      if (event.errorCode === 'ThrottlingException') count.throttled++;
      this.counters.set(slot, count);
      if (!event.errorCode && KEY_USE_OPERATIONS.has(event.eventName) && keyArn !== '*') this.usedKeys.add(keyArn);
    }
    for (const authorization of event.authorizations) {
      if (!authorization.allowed) continue;
      for (const s of authorization.decidingStatements) {
        if (s.source === 'key-policy') this.decidingAllows.add(`key-policy|${authorization.resource}|${s.statementIndex}`);
        else if (s.source === 'identity-policy') this.decidingAllows.add(`identity-policy|${event.userIdentity.arn}|${s.policyName}|${s.statementIndex}`);
        else this.decidingAllows.add(`grant|${s.policyName}`);
      }
    }
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  /** The events in memory, oldest first, optionally filtered. */
  public events(filter: AuditFilter = {}): AuditEvent[] {
    return this.memory.filter(e =>
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
