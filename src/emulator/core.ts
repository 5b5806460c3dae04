import { AuditTrail } from './audit/trail';
import { DecisionCache } from './authz/decision-cache';
import { evaluateAuthorization, evaluateWithLookup } from './authz/evaluate';
import { Authorizer, AuthorizationDecision, AuthorizationRequest } from './authz/types';
import { Clock } from './clock';
import { IdentityRegistry } from './identity';
import { Store } from './store';

/** One authorization decision, kept so a user can see why a request was allowed or denied. */
export interface RecordedDecision {
  readonly time: string;
  readonly operation: string;
  readonly action: string;
  readonly caller: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly reason: string;
  readonly decision: AuthorizationDecision;
  readonly request: AuthorizationRequest;
}

/** How many decisions the in-memory log keeps. */
export const DECISION_LOG_SIZE = 1000;
/** Old decisions are dropped this many at a time. */
const DROP_BATCH = 100;

/** Everything the operations share: state, time, identities, authorization and its log. */
export class EmulatorCore {
  private readonly log: LoggedDecision[] = [];
  /** The built-in evaluator's decisions, reused while nothing they depend on has changed (authz/decision-cache.ts). */
  public readonly decisionCache: DecisionCache;

  constructor(
    public readonly store: Store,
    public readonly clock: Clock,
    public readonly identities: IdentityRegistry,
    public authorizer: Authorizer,
    private readonly debug: boolean,
    /** Every request, CloudTrail-shaped (audit/). */
    public readonly audit: AuditTrail = new AuditTrail(),
  ) {
    this.decisionCache = new DecisionCache(request => (request.key ? store.generation : store.principalGeneration));
  }

  /**
   * Decides one request: through the decision cache when the authorizer is the built-in evaluator (whose inputs
   * the cache knows), else by calling the authorizer, which may read anything.
   */
  public decide(request: AuthorizationRequest): AuthorizationDecision {
    return this.authorizer === evaluateAuthorization ? this.decisionCache.decide(request, evaluateWithLookup) : this.authorizer(request);
  }

  /**
   * Records a decision (bounded), and prints it when debugging.
   * @param at when it was made (the emulator's clock, ms)
   * @param reason what the log says, when not the decision's own reason
   */
  public record(at: number, request: AuthorizationRequest, decision: AuthorizationDecision, reason = decision.reason): void {
    this.log.push(new LoggedDecision(at, request, decision, reason));
    if (this.log.length >= DECISION_LOG_SIZE + DROP_BATCH) this.log.splice(0, DROP_BATCH); // not one shift per request
    if (this.debug) {
      process.stderr.write(`[guarded-keys authz] ${decision.allowed ? 'ALLOW' : 'DENY'} ${request.caller.arn} ${request.action} ${request.resourceArn}: ${reason}\n`);
    }
  }

  /** The recent decisions, oldest first. */
  public decisions(): readonly RecordedDecision[] {
    return this.log.slice(-DECISION_LOG_SIZE).map(entry => entry.shown);
  }
}

/**
 * One decision in the log as it was recorded: the request and decision themselves (shared with nothing that could
 * change them) and the time. The shape users read, with its time string, is made once, when the log is read: the
 * log is written on every request and read rarely, and each object a request leaves in it (the entry was nine
 * fields, a getter and the closure behind it) is copied by a young-generation collection and then promoted.
 */
class LoggedDecision {
  private made?: RecordedDecision;

  constructor(
    private readonly at: number,
    private readonly request: AuthorizationRequest,
    private readonly decision: AuthorizationDecision,
    private readonly reason: string,
  ) {}

  public get shown(): RecordedDecision {
    return this.made ??= {
      time: new Date(this.at).toISOString(),
      operation: this.request.operation,
      action: this.request.action,
      caller: this.request.caller.arn,
      resource: this.request.resourceArn,
      allowed: this.decision.allowed,
      reason: this.reason,
      decision: this.decision,
      request: this.request,
    };
  }
}

/** Allows everything: the emulator's behaviour when authorization is turned off. */
export const allowAll: Authorizer = () => ({ allowed: true, reason: 'authorization is disabled in this emulator', trace: [] });
