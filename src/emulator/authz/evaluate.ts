import { ConditionLookup, conditionLookup } from './condition-lookup';
import { evaluateConditions } from './conditions';
import { allowingGrant } from './grants';
import { isAccountRoot, isServicePrincipal, matchPrincipal, PrincipalMatch } from './principals';
import {
  AuthorizationDecision, AuthorizationRequest, DecisionTraceEntry, PolicyDocumentJson, PolicyStatementJson,
} from './types';
import { substituteVariables } from './variables';
import { globMatch, toList } from './wildcard';

/**
 * KMS authorization, as AWS documents it, written by hand because the npm IAM evaluators we found are AGPL or
 * mis-handle `kms:EncryptionContext:<key>`:
 *
 * 1. An explicit Deny in the key policy or in the caller's identity policies wins (grants cannot override it).
 * 2. Same account: allowed when the key policy allows the caller directly, or trusts the account (allows its root)
 *    and an identity policy allows, or a grant allows.
 * 3. Another account: the key policy must allow the caller or its account, and (unless the caller is that
 *    account's root) an identity policy must allow too; or a grant allows.
 * 4. Without a key (CreateKey, ListKeys...): the account root is allowed; others need an identity policy.
 * 5. A service principal calling as itself (CloudWatch Logs, SNS) has no IAM policies: only a key policy
 *    statement naming it (or `*`), or a grant to it, allows it.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function evaluateAuthorization(request: AuthorizationRequest): AuthorizationDecision {
  return evaluateWithLookup(request, conditionLookup(request));
}

/**
 * {@link evaluateAuthorization}, reading condition keys through `lookup` only (the decision cache passes one that
 * records what was read: decision-cache.ts).
 */
export function evaluateWithLookup(request: AuthorizationRequest, lookup: ConditionLookup): AuthorizationDecision {
  const trace: DecisionTraceEntry[] = [];
  const root = isAccountRoot(request.caller);
  const service = isServicePrincipal(request.caller);

  const keyStatements = request.key ? evaluateDocument(request.key.policy, 'key-policy', undefined, request, lookup, trace, true) : [];
  const identityStatements = root || service ? [] : request.caller.identityPolicies.flatMap(p =>
    evaluateDocument(p.document, 'identity-policy', p.name, request, lookup, trace, false));

  const deny = [...keyStatements, ...identityStatements].find(s => s.effect === 'Deny');
  if (deny) return { allowed: false, reason: `explicitly denied by ${deny.label}`, trace, deciding: [deny.entry] };

  const identityAllow = identityStatements.find(s => s.effect === 'Allow');
  if (!request.key) {
    if (root) return { allowed: true, reason: `${request.caller.arn} is the account root`, trace };
    return identityAllow
      ? { allowed: true, reason: `allowed by ${identityAllow.label}`, trace, deciding: [identityAllow.entry] }
      : { allowed: false, reason: `no identity policy of ${request.caller.arn} allows ${request.action}`, trace };
  }

  const direct = keyStatements.find(s => s.effect === 'Allow' && s.principal === 'direct');
  const viaAccount = keyStatements.find(s => s.effect === 'Allow' && s.principal === 'account');
  const sameAccount = request.caller.accountId === request.key.accountId;
  const grant = allowingGrant(request);
  const grantEntry: DecisionTraceEntry | undefined = grant
    ? { source: 'grant', policyName: grant.grantId, effect: 'Allow', matched: true, detail: `grant ${grant.name ?? grant.grantId} allows ${grant.operations.join(', ')}` }
    : undefined;
  if (grantEntry) trace.push(grantEntry);

  if (service) {
    if (direct) return { allowed: true, reason: `allowed by ${direct.label}`, trace, deciding: [direct.entry] };
  } else if (sameAccount) {
    if (direct) return { allowed: true, reason: `allowed by ${direct.label}`, trace, deciding: [direct.entry] };
    if (viaAccount && identityAllow) {
      return { allowed: true, reason: `allowed by ${identityAllow.label}; the key policy trusts the account (${viaAccount.label})`, trace, deciding: [viaAccount.entry, identityAllow.entry] };
    }
  } else if (direct || viaAccount) {
    const keySide = (direct ?? viaAccount)!;
    if (root && direct) return { allowed: true, reason: `cross-account root allowed by ${keySide.label}`, trace, deciding: [keySide.entry] };
    if (identityAllow) return { allowed: true, reason: `cross-account: allowed by ${keySide.label} and ${identityAllow.label}`, trace, deciding: [keySide.entry, identityAllow.entry] };
  }
  if (grant) return { allowed: true, reason: `allowed by grant ${grant.name ?? grant.grantId}`, trace, deciding: [grantEntry!] };

  return { allowed: false, reason: denialReason(request, { direct, viaAccount, identityAllow, sameAccount }, trace), trace };
}

interface MatchedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PrincipalMatch;
  readonly label: string;
  /** Its trace entry: what an audit event names as the deciding statement. */
  readonly entry: DecisionTraceEntry;
}

/** Evaluates every statement of one document, appending to the trace; returns those that apply. */
function evaluateDocument(
  document: PolicyDocumentJson, source: 'key-policy' | 'identity-policy', policyName: string | undefined, request: AuthorizationRequest,
  lookup: ConditionLookup, trace: DecisionTraceEntry[], checkPrincipal: boolean,
): MatchedStatement[] {
  const matched: MatchedStatement[] = [];
  const substitute = (value: string) => (value.includes('${') ? substituteVariables(value, lookup) : value);
  toList(document?.Statement).forEach((statement, index): void => {
    const label = describe(source, policyName, statement, index);
    const entry = (ok: boolean, detail: string): DecisionTraceEntry => {
      const traced: DecisionTraceEntry = {
        source, policyName, sid: statement.Sid, statementIndex: index, effect: statement.Effect, matched: ok, detail,
      };
      trace.push(traced);
      return traced;
    };
    let principal: PrincipalMatch = 'direct';
    if (checkPrincipal) {
      // NotPrincipal excludes only the principals it names: an account root listed there excludes the root user,
      // not the account's other users (IAM's advice for a Deny: list the user and its account, and the rest are denied).
      principal = statement.NotPrincipal !== undefined
        ? (matchPrincipal(statement.NotPrincipal, request.caller) === 'direct' ? undefined : 'direct')
        : matchPrincipal(statement.Principal, request.caller);
      if (!principal) return void entry(false, `principal does not match ${request.caller.arn}`);
    }
    if (!actionMatches(statement, request.action)) return void entry(false, `action ${request.action} not covered`);
    if (!resourceMatches(statement, request.resourceArn, substitute)) return void entry(false, `resource ${request.resourceArn} not covered`);
    const conditions = evaluateConditions(statement.Condition as Record<string, Record<string, unknown>> | undefined, lookup, substitute);
    if (!conditions.matched) return void entry(false, conditions.failure!);
    const traced = entry(true, `${statement.Effect === 'Deny' ? 'denies' : 'allows'} ${request.action}${principal === 'account' ? ' to the account (IAM policies decide)' : ''}`);
    matched.push({ effect: statement.Effect, principal, label, entry: traced });
  });
  return matched;
}

function actionMatches(statement: PolicyStatementJson, action: string): boolean {
  if (statement.NotAction !== undefined) return !toList(statement.NotAction).some(p => globMatch(p, action, true));
  return toList(statement.Action).some(p => globMatch(p, action, true));
}

function resourceMatches(statement: PolicyStatementJson, resource: string, substitute: (v: string) => string | undefined): boolean {
  const matches = (patterns: string[]) => patterns.some(p => {
    const value = substitute(p);
    return value !== undefined && globMatch(value, resource);
  });
  if (statement.NotResource !== undefined) return !matches(toList(statement.NotResource));
  if (statement.Resource === undefined) return true; // key policies may omit it; it means this key
  return matches(toList(statement.Resource));
}

function describe(source: string, policyName: string | undefined, statement: PolicyStatementJson, index: number): string {
  const where = source === 'key-policy' ? 'the key policy' : `identity policy ${policyName}`;
  return statement.Sid ? `${where} statement '${statement.Sid}'` : `${where} statement #${index + 1}`;
}

function denialReason(
  request: AuthorizationRequest,
  found: { direct?: MatchedStatement; viaAccount?: MatchedStatement; identityAllow?: MatchedStatement; sameAccount: boolean },
  trace: DecisionTraceEntry[],
): string {
  let reason: string;
  if (found.viaAccount && !found.identityAllow) {
    reason = `the key policy trusts the account (${found.viaAccount.label}) but no identity policy of ${request.caller.arn} allows ${request.action}`;
  } else if (!found.sameAccount && found.identityAllow) {
    reason = `cross-account: ${found.identityAllow.label} allows ${request.action}, but the key policy does not allow ${request.caller.arn} or its account`;
  } else {
    reason = `no statement allows ${request.action} for ${request.caller.arn}`;
  }
  // The statement that failed only on a condition is usually the one the user meant to match.
  const near = trace.find(t => !t.matched && t.detail.startsWith('condition'));
  return near ? `${reason}; nearest: ${near.source} ${near.sid ? `'${near.sid}'` : `#${(near.statementIndex ?? 0) + 1}`}: ${near.detail}` : reason;
}
