import { AuditTrail } from './trail';
import type { NamedPolicy, PolicyDocumentJson, PolicyStatementJson } from '../authz/types';
import type { PrincipalConfig } from '../config';
import type { Store } from '../store';

/**
 * Unused-access findings over a run, the local analogue of IAM Access Analyzer's: keys that never served a
 * cryptographic request, and Allow statements and grants that never decided an allowed request.
 * A permission listed here was not needed by anything the run did: a candidate to remove, or a path the tests
 * never exercise.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html
 * @module
 */

export interface UnusedStatement {
  /** `key-policy` (of `keyArn`) or `identity-policy` (of `principalArn`, named `policyName`). */
  readonly source: 'key-policy' | 'identity-policy';
  readonly keyArn?: string;
  readonly principalArn?: string;
  readonly policyName?: string;
  readonly sid?: string;
  readonly statementIndex: number;
  readonly actions: string[];
}

export interface UnusedGrant {
  readonly grantId: string;
  readonly keyArn: string;
  readonly granteePrincipal: string;
  readonly operations: string[];
}

export interface UnusedAccess {
  /** Customer managed keys that served no successful cryptographic request (management does not count). */
  readonly unusedKeys: string[];
  readonly unusedStatements: UnusedStatement[];
  readonly unusedGrants: UnusedGrant[];
}

/** The findings for the keys, grants and principals the emulator holds now. */
export function unusedAccess(trail: AuditTrail, store: Store, principals: readonly PrincipalConfig[]): UnusedAccess {
  const unusedKeys: string[] = [];
  const unusedStatements: UnusedStatement[] = [];
  for (const key of store.keys.values()) {
    if (key.keyManager === 'AWS') continue;
    if (!trail.wasUsed(key.arn)) unusedKeys.push(key.arn);
    statementsOf(JSON.parse(key.policy) as PolicyDocumentJson).forEach((s, index) => {
      if (s.Effect === 'Allow' && !trail.hasAllowed(`key-policy|${key.arn}|${index}`)) {
        unusedStatements.push({ source: 'key-policy', keyArn: key.arn, sid: s.Sid, statementIndex: index, actions: actionsOf(s) });
      }
    });
  }
  for (const principal of principals) {
    (principal.identityPolicies ?? []).forEach((policy, p) => {
      const named: NamedPolicy = 'document' in policy ? policy : { name: `policy-${p + 1}`, document: policy };
      statementsOf(named.document).forEach((s, index) => {
        if (s.Effect === 'Allow' && actionsOf(s).some(isKmsAction) && !trail.hasAllowed(`identity-policy|${principal.arn}|${named.name}|${index}`)) {
          unusedStatements.push({ source: 'identity-policy', principalArn: principal.arn, policyName: named.name, sid: s.Sid, statementIndex: index, actions: actionsOf(s).filter(isKmsAction) });
        }
      });
    });
  }
  const unusedGrants = [...store.grants.values()]
    .filter(g => !trail.hasAllowed(`grant|${g.grantId}`))
    .map(g => ({ grantId: g.grantId, keyArn: g.keyArn, granteePrincipal: g.granteePrincipal, operations: [...g.operations] }));
  return { unusedKeys, unusedStatements, unusedGrants };
}

function statementsOf(document: PolicyDocumentJson): PolicyStatementJson[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

function actionsOf(s: PolicyStatementJson): string[] {
  if (s.Action === undefined) return [];
  return Array.isArray(s.Action) ? [...s.Action] : [s.Action];
}

/** Identity policies grant much besides KMS: only statements naming KMS actions (or `*`) are findings here. */
function isKmsAction(action: string): boolean {
  return action === '*' || action.toLowerCase().startsWith('kms:');
}
