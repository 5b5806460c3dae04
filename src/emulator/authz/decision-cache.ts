import { ConditionLookup, conditionLookup } from './condition-lookup';
import { AuthorizationDecision, AuthorizationRequest, CallerIdentity, ConditionValue, PolicyDocumentJson } from './types';

/**
 * Remembers {@link evaluateAuthorization}'s decisions, so a caller repeating a request does not re-evaluate the same
 * key policy and identity policies every time (most of a request's authorization cost).
 *
 * Why a cached decision is the one a fresh evaluation would give. The evaluator is a pure function of the request.
 * Of the request, the entry is keyed on what the evaluator reads directly, compared by identity where it is an
 * object: the action, the operation, the resource ARN, the caller (the emulator's identity object, which a new or
 * changed principal replaces), the key policy (the parsed document, one per policy text: a changed policy is another
 * object) and the store's generation (below). Everything else it reads is a condition key, and every read of one goes
 * through a lookup that this cache records: an entry keeps each key read with its value, and is used only when every
 * one of those keys has the same value in the new request. Same reads, same path through a deterministic evaluator,
 * same decision; a policy with no conditions reads none, so one entry serves every request of that caller, action
 * and key. Time is a condition key like any other (`aws:CurrentTime`), so a time-bound policy is re-evaluated as
 * its value changes. Requests that carry grants or a grant being created are not cached: their decision depends on
 * the grants' constraints and the request's encryption context, which are not condition keys.
 *
 * The store's generation (bumped on every write of a key, alias, grant or principal) is a second fence: a decision
 * on a key cached before any write is never used after it, whatever the write changed. It costs a re-evaluation
 * after each write, which is cheap next to a write. A decision without a key (CreateKey, ListKeys, ...) is fenced
 * by the writes of principals only: it reads no key, alias or grant, so the other writes cannot change it, and
 * CreateKey, itself a write, would otherwise re-evaluate its own decision every time.
 */
export class DecisionCache {
  private readonly buckets = new Map<string, Bucket>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    /** The store's write counter for the request (see above), read on every decision. */
    private readonly generation: (request: AuthorizationRequest) => number,
    private readonly maxBuckets = DECISION_CACHE_SIZE,
  ) {}

  /** The decision for a request: the cached one when it provably applies, else `evaluate`'s (then kept). */
  public decide(request: AuthorizationRequest, evaluate: Evaluator): AuthorizationDecision {
    if (request.grants.length > 0 || request.newGrant !== undefined) return evaluate(request, conditionLookup(request));
    const generation = this.generation(request);
    const policy = request.key?.policy;
    const id = `${request.caller.arn}\u0000${request.action}\u0000${request.operation}\u0000${request.resourceArn}`;
    let bucket = this.buckets.get(id);
    if (bucket && (bucket.generation !== generation || bucket.caller !== request.caller || bucket.policy !== policy)) {
      this.buckets.delete(id);
      bucket = undefined;
    }
    const lookup = conditionLookup(request);
    if (bucket) {
      for (const entry of bucket.entries) {
        if (entry.reads.every(([name, value]) => sameValue(lookup(name), value))) {
          this.hitCount++;
          return entry.decision;
        }
      }
    }
    this.missCount++;
    const reads: Array<[string, ConditionValue | undefined]> = [];
    const decision = evaluate(request, name => {
      const value = lookup(name);
      reads.push([name, value]);
      return value;
    });
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { generation, caller: request.caller, policy, entries: [] };
      this.buckets.set(id, bucket);
    }
    if (bucket.entries.length >= ENTRIES_PER_BUCKET) bucket.entries.shift();
    bucket.entries.push({ reads, decision });
    return decision;
  }

  /** Decisions served from the cache and evaluated, since it was made (tests read them). */
  public stats(): { hits: number; misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }
}

/** The evaluator, reading condition keys only through the lookup it is given. */
export type Evaluator = (request: AuthorizationRequest, lookup: ConditionLookup) => AuthorizationDecision;

/** How many (caller, action, operation, resource) combinations are kept; the oldest goes first. */
export const DECISION_CACHE_SIZE = 4096;
/** Distinct condition-key values kept per combination (a time-bound policy makes a new one each second). */
const ENTRIES_PER_BUCKET = 8;

interface Bucket {
  readonly generation: number;
  readonly caller: CallerIdentity;
  readonly policy: PolicyDocumentJson | undefined;
  readonly entries: Array<{ readonly reads: ReadonlyArray<[string, ConditionValue | undefined]>; readonly decision: AuthorizationDecision }>;
}

function sameValue(a: ConditionValue | undefined, b: ConditionValue | undefined): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}
