import { CallerIdentity, PrincipalJson } from './types';
import { toList } from './wildcard';

/**
 * How a statement's principal applies to a caller:
 * - `direct`: it names the caller (its ARN, its role for a role session, `*`, or — for the account root itself —
 *   its account);
 * - `account`: it names the caller's account (root ARN or bare account id) and the caller is an IAM identity in
 *   that account, so the account's IAM policies decide (the key policy "trusts the account");
 * - undefined: it does not apply.
 */
export type PrincipalMatch = 'direct' | 'account' | undefined;

const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

const SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/** The caller as principals name it: an assumed-role session is its role. */
export function callerArns(caller: CallerIdentity): string[] {
  const role = roleOfSession(caller.arn);
  return role ? [caller.arn, role] : [caller.arn];
}

/**
 * `aws:PrincipalArn` as IAM sets it: for an assumed-role session the role's ARN (so a Deny on `role/Untrusted`
 * reaches every session of it), else the caller's own ARN.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export function principalArnOf(caller: CallerIdentity): string {
  return roleOfSession(caller.arn) ?? caller.arn;
}

/** `arn:aws:sts::111122223333:assumed-role/App/session` -> `arn:aws:iam::111122223333:role/App`. */
function roleOfSession(arn: string): string | undefined {
  const session = SESSION.exec(arn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : undefined;
}

/** A service principal calling as itself (`logs.eu-west-1.amazonaws.com`): it has no account and no IAM policies. */
export function isServicePrincipal(caller: CallerIdentity): boolean {
  return caller.accountId === '' && !caller.arn.startsWith('arn:');
}

export function isAccountRoot(caller: CallerIdentity): boolean {
  return ROOT.test(caller.arn);
}

/** Matches a Principal element against the caller. */
export function matchPrincipal(principal: PrincipalJson | undefined, caller: CallerIdentity): PrincipalMatch {
  if (principal === undefined) return undefined;
  if (principal === '*') return 'direct';
  let best: PrincipalMatch;
  for (const [type, values] of Object.entries(principal)) {
    if (type === 'Service') {
      // A Service principal matches only that service calling as itself, never an IAM caller.
      if (isServicePrincipal(caller) && toList(values).includes(caller.arn)) return 'direct';
      continue;
    }
    if (type !== 'AWS') continue; // Federated principals never match
    for (const value of toList(values)) {
      const match = matchOne(value, caller);
      if (match === 'direct') return 'direct';
      best = best ?? match;
    }
  }
  return best;
}

function matchOne(value: string, caller: CallerIdentity): PrincipalMatch {
  if (value === '*') return 'direct';
  const account = /^\d{12}$/.test(value) ? value : ROOT.exec(value)?.[1];
  if (account !== undefined) {
    if (account !== caller.accountId) return undefined;
    return isAccountRoot(caller) ? 'direct' : 'account';
  }
  // Exact: IAM refuses a partial wildcard in a principal at write time (validateKeyPolicy does too).
  return callerArns(caller).includes(value) ? 'direct' : undefined;
}
