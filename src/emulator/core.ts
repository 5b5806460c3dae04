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
  private readonly log: RecordedDecision[] = [];
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

  /** Records a decision (bounded), and prints it when debugging. */
  public record(decision: RecordedDecision): void {
    this.log.push(decision);
    if (this.log.length >= DECISION_LOG_SIZE + DROP_BATCH) this.log.splice(0, DROP_BATCH); // not one shift per request
    if (this.debug) {
      process.stderr.write(`[guarded-keys authz] ${decision.allowed ? 'ALLOW' : 'DENY'} ${decision.caller} ${decision.action} ${decision.resource}: ${decision.reason}\n`);
    }
  }

  /** The recent decisions, oldest first. */
  public decisions(): readonly RecordedDecision[] {
    return this.log.slice(-DECISION_LOG_SIZE);
  }
}

/** Allows everything: the emulator's behaviour when authorization is turned off. */
export const allowAll: Authorizer = () => ({ allowed: true, reason: 'authorization is disabled in this emulator', trace: [] });
