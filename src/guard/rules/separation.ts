import { Capability } from '../../policy/kms-actions';
import { GuardStatement } from '../model';
import { capabilitiesOf, coversKey, GuardRule, keyHit, RuleHit, trustsAccountIam, where } from '../rule';

const USES: Capability[] = ['encrypt', 'decrypt', 'sign', 'mac', 'grant'];

/**
 * GK3: no identity both manages and uses a key, counting every Allow statement that names it: across the key
 * policy's statements, and across the key policy and the template's IAM policies (which count when the key policy
 * trusts the account). aws-cdk-lib writes its `admins` statement (`kms:Create*` covers `kms:CreateGrant`) to the
 * role's IAM policy for a same-account role, where a key-policy-only check never looks.
 */
export const SEPARATION_OF_DUTIES: GuardRule = {
  id: 'GK3',
  title: 'No principal but the account root both manages and uses a key (key policy and IAM policies together)',
  defaultSeverity: 'error',
  why: 'An administrator who can also use the key (or create a grant for itself, e.g. through kms:Create*) can read everything the key protects; separating the duties needs two people to collude.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html',
  check: stack => stack.keys.flatMap((key): RuleHit[] => {
    const byIdentity = new Map<string, Array<{ statement: GuardStatement; policy?: string }>>();
    const add = (id: string, statement: GuardStatement, policy?: string) =>
      byIdentity.set(id, [...(byIdentity.get(id) ?? []), { statement, policy }]);
    for (const s of key.statements ?? []) {
      if (s.effect !== 'Allow' || s.notPrincipal) continue;
      for (const p of s.principals) {
        if (p.kind === 'identity') add(p.id, s);
        // Principal "*" is every principal its condition lets in: admin and use to "*" is both for each of them.
        if (p.kind === 'everyone') add('Principal "*"', s);
      }
    }
    if (trustsAccountIam(key)) {
      for (const policy of stack.iamPolicies) {
        for (const s of policy.statements) {
          if (s.effect !== 'Allow' || !coversKey(s, key.logicalId)) continue;
          for (const p of s.principals) if (p.kind === 'identity') add(p.id, s, policy.name);
        }
      }
    }
    const hits: RuleHit[] = [];
    // A statement's capabilities, computed once per action list (asked per principal and per use).
    const caps = capabilitiesOf;
    for (const [id, statements] of byIdentity) {
      const managing = statements.filter(({ statement }) => caps(statement).has('administer'));
      const using = statements.filter(({ statement }) => USES.some(u => caps(statement).has(u)));
      if (!managing.length || !using.length) continue;
      const uses = USES.filter(u => using.some(({ statement }) => caps(statement).has(u)));
      const names = (list: typeof statements) => [...new Set(list.map(({ statement, policy }) => where(statement, policy)))].join(', ');
      hits.push(keyHit(key, `${id} both administers the key (${names(managing)}) and can ${uses.join('/')} (${names(using)}): separate admins from users`, managing[0].statement.pointer));
    }
    return hits;
  }),
};
