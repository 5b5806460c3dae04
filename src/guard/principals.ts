import { isSymbolic, Unresolved } from './evaluate';

/**
 * Who a `Principal` element names, as the guard needs to know it: everyone, an account's root (this stack's
 * account, another one, or one that cannot be told before deployment), a service, or an IAM identity.
 * @module
 */

/** One principal of a statement. */
export type GuardPrincipal =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'root'; readonly account: string; readonly own: 'yes' | 'no' | 'unknown' }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'identity'; readonly id: string }
  | { readonly kind: 'other'; readonly type: string; readonly value: string }
  | { readonly kind: 'unresolved'; readonly reason: string };

/** An ARN field: a literal, or a placeholder such as `${AWS::Partition}` (which holds colons itself). */
const FIELD = '(?:\\$\\{[^}]+\\}|[^:$]+)';
const ROOT_ARN = new RegExp(`^arn:${FIELD}:iam::(${FIELD}):root$`);
const IAM_ARN = new RegExp(`^arn:${FIELD}:(?:iam|sts)::${FIELD}:((?:role|user|assumed-role|group)/.+)$`);
/** `${AppRole.Arn}` or `${AppRole}`: a resource of the same template, named by its logical ID. */
const RESOURCE = /^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}$/;

/** The principals a (evaluated) Principal element names; `ownAccount` is the stack's account when known. */
export function principalsOf(element: unknown, ownAccount: string | undefined): GuardPrincipal[] {
  if (element instanceof Unresolved) return [{ kind: 'unresolved', reason: element.reason }];
  if (element === '*') return [{ kind: 'everyone' }];
  if (element === undefined || element === null || typeof element !== 'object') return [];
  const out: GuardPrincipal[] = [];
  for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
    for (const value of Array.isArray(values) ? values : [values]) {
      if (value instanceof Unresolved) out.push({ kind: 'unresolved', reason: value.reason });
      else if (typeof value !== 'string') out.push({ kind: 'unresolved', reason: `a ${type} principal that is not a string` });
      else if (type === 'AWS') out.push(awsPrincipal(value, ownAccount));
      else if (type === 'Service') out.push({ kind: 'service', service: value });
      else out.push({ kind: 'other', type, value });
    }
  }
  return out;
}

function awsPrincipal(value: string, ownAccount: string | undefined): GuardPrincipal {
  if (value === '*') return { kind: 'everyone' };
  const root = ROOT_ARN.exec(value)?.[1] ?? (/^(\d{12}|\$\{AWS::AccountId\})$/.test(value) ? value : undefined);
  if (root !== undefined) return { kind: 'root', account: root, own: accountIsOwn(root, ownAccount) };
  return { kind: 'identity', id: identityId(value) };
}

/** Whether an account (literal or `${AWS::AccountId}`) is the stack's own. */
export function accountIsOwn(account: string, ownAccount: string | undefined): 'yes' | 'no' | 'unknown' {
  if (account === '${AWS::AccountId}' || (ownAccount !== undefined && account === ownAccount)) return 'yes';
  if (/^\d{12}$/.test(account)) return ownAccount === undefined ? 'unknown' : 'no';
  return 'unknown';
}

/**
 * One name for an IAM identity, whether a statement names it by ARN (`${AppRole.Arn}`, a literal role ARN) or an
 * IAM policy attaches to it by name (`${AppRole}`, a literal role name): the logical ID for the template's own
 * roles and users, `role/<name>` for literal ones.
 */
export function identityId(value: string): string {
  const resource = RESOURCE.exec(value)?.[1];
  if (resource) return resource;
  const arn = IAM_ARN.exec(value)?.[1];
  if (arn) return arn.replace(/^(role|user|group)\/(?:.*\/)?([^/]+)$/, '$1/$2');
  return value;
}

/** An IAM policy's `Roles`/`Users`/`Groups` entry as an identity id. */
export function holderId(kind: 'role' | 'user' | 'group', value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (RESOURCE.test(value) || value.startsWith('arn:')) return identityId(value);
  return isSymbolic(value) ? value : `${kind}/${value}`;
}

/** A readable name for reports. */
export function describeGuardPrincipal(p: GuardPrincipal): string {
  switch (p.kind) {
    case 'everyone': return 'everyone (*)';
    case 'root': return p.account === '${AWS::AccountId}' ? 'this account (root)' : `account ${p.account} (root)`;
    case 'service': return `service ${p.service}`;
    case 'identity': return p.id;
    case 'other': return `${p.type} ${p.value}`;
    case 'unresolved': return `(unresolved: ${p.reason})`;
  }
}
