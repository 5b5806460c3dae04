import { conditionUndecided, narrowsKeys, UNDECIDED_CONDITION } from '../conditions';
import { actionsOf, coversAllKmsActions, coversEveryKey, GuardRule, RuleHit, where } from '../rule';

/** Actions that release plaintext (or let a key do it under another key). */
const DECRYPTING = ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DeriveSharedSecret'];

/** GK9: kms:* only for the key's own account root. */
export const FULL_ACCESS: GuardRule = {
  id: 'GK9',
  title: "kms:* is allowed only to the key's own account root",
  defaultSeverity: 'error',
  why: "kms:* lets a principal change the key policy and so give itself anything; for another account's root it hands the key to every identity that account allows.",
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
  check: stack => stack.keys.flatMap(key => (key.statements ?? []).filter(s => s.effect === 'Allow' && !s.notPrincipal && coversAllKmsActions(s)).flatMap(s =>
    s.principals.flatMap((p): RuleHit[] => {
      const base = { logicalId: key.logicalId, path: key.path, pointer: s.pointer };
      if (p.kind === 'identity') return [{ ...base, message: `${where(s)} allows kms:* to ${p.id}: give administrators the management actions only` }];
      // Principal "*" with kms:* is kms:* for every principal its condition lets in, whatever their IAM policies say.
      if (p.kind === 'everyone') return [{ ...base, message: `${where(s)} allows kms:* to Principal "*": name the account root, and give others only the actions they need` }];
      if (p.kind === 'root' && p.own === 'no') return [{ ...base, message: `${where(s)} allows kms:* to account ${p.account}, another account than the stack's: give it only the actions it needs, narrowed by kms:ViaService or kms:CallerAccount` }];
      if (p.kind === 'root' && p.own === 'unknown') return [{ ...base, message: `${where(s)} allows kms:* to account ${p.account}, which cannot be told from the stack's account before deployment`, undecided: true }];
      return [];
    }))),
};

/** GK14: IAM policies of the template do not allow decryption (or everything) on every key. */
export const IAM_ALL_KEYS: GuardRule = {
  id: 'GK14',
  title: 'IAM policies do not allow kms:* or decryption on all keys (Resource "*")',
  defaultSeverity: 'error',
  why: 'An identity policy on Resource "*" reaches every key whose policy trusts the account, including keys created later; name the keys (or narrow by aws:ResourceTag / kms:ResourceAliases).',
  source: 'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-1',
  check: stack => stack.iamPolicies.flatMap(policy => policy.statements
    .filter(s => s.effect === 'Allow' && coversEveryKey(s) && !narrowsKeys(s.condition))
    .flatMap((s): RuleHit[] => {
      const actions = actionsOf(s);
      const what = coversAllKmsActions(s) ? 'kms:*' : DECRYPTING.filter(a => actions.has(a)).join(', ');
      if (!what) return [];
      const scope = s.notResource ? 'every key but those its NotResource names' : 'Resource "*"';
      const undecided = conditionUndecided(s.condition);
      const message = `${where(s, policy.name)} allows ${what} on all keys (${scope}): name the keys it needs${undecided ? UNDECIDED_CONDITION : ''}`;
      return [{ logicalId: policy.logicalId, path: policy.path, pointer: s.pointer, undecided, message }];
    })),
};
