import { coversAllKmsActions, GuardRule, keyHit, RuleHit } from '../rule';

/** GK2: a key policy keeps the account-root statement (a missing KeyPolicy is the default policy, which has it). */
export const ROOT_STATEMENT: GuardRule = {
  id: 'GK2',
  title: "A key policy keeps a statement allowing kms:* to the key's own account root",
  defaultSeverity: 'error',
  why: "Without it the key can become unmanageable (only AWS Support can recover it), and the account's IAM policies give nothing on the key. A key without a KeyPolicy gets the default policy, which has it.",
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam',
  check: stack => stack.keys.flatMap((key): RuleHit[] => {
    if (key.statements === undefined) return [];
    const roots = key.statements.filter(s => s.effect === 'Allow' && !s.notPrincipal && coversAllKmsActions(s) && s.condition === undefined);
    const owners = roots.flatMap(s => s.principals).filter(p => p.kind === 'root');
    // A statement that cannot be evaluated may be the root's: GK0 reports it, GK2 does not guess.
    if (owners.some(p => p.kind === 'root' && p.own === 'yes') || key.policyIncomplete) return [];
    const pointer = `/Resources/${key.logicalId}/Properties/KeyPolicy`;
    const unknown = owners.find(p => p.kind === 'root' && p.own === 'unknown');
    if (unknown?.kind === 'root') {
      return [{ ...keyHit(key, `the root statement names account ${unknown.account}, which cannot be told from the stack's own account before deployment (give a cloud assembly with its environment)`, pointer), undecided: true }];
    }
    return [keyHit(key, "the key policy has no statement allowing kms:* to this account's root: the key can be locked out and IAM policies give nothing on it", pointer)];
  }),
};
