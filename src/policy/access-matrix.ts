import { Capability, CAPABILITIES, capabilitiesOf } from './kms-actions';
import { readableToken } from './principal-identity';
import { evaluate, EvaluationScope, Unresolved } from '../guard/evaluate';
import { coversAllKeys } from '../guard/rule';

/**
 * The access matrix of the KMS keys in a synthesized template: who can administer, encrypt, decrypt,
 * create grants, sign, verify or use MACs, under which conditions, and which statement says so.
 *
 * It is read from the template itself (the key policy, and the IAM policies in the same template
 * whose Resource covers the key), not from the constructs' props, so it shows what will be deployed,
 * including statements other constructs added. Intrinsics are evaluated first (`Fn::If` with the template's
 * Conditions, `Fn::Sub`, `Fn::Join`...), so keys written with any library read the same; a value that cannot be
 * evaluated shows as `(unresolved: why)`.
 * @module
 */

/** One principal's access through one statement. */
export interface AccessRow {
  /** A readable principal: a role's logical ID, an account, a service, or `everyone`. */
  readonly principal: string;
  readonly effect: 'Allow' | 'Deny';
  readonly capabilities: Capability[];
  /** Readable conditions, e.g. `via s3.eu-west-1.amazonaws.com`, `context tenant present`. */
  readonly conditions: string[];
  /** The same conditions as data, for programs (the measured matrix builds its requests from this). */
  readonly narrowing: RowNarrowing;
  /** Where the statement lives: `key policy (Sid)` or `IAM policy Name`. */
  readonly source: string;
}

/** What a row's conditions require of a request, as data. */
export interface RowNarrowing {
  /** `kms:ViaService` endpoints (`s3.eu-west-1.amazonaws.com`). */
  readonly viaServices: string[];
  /** `kms:CallerAccount` accounts. */
  readonly callerAccounts: string[];
  /** Encryption context the request must carry: key -> value, `*` for "present with any value". */
  readonly encryptionContext: Record<string, string>;
  /** A Deny's exception (`ArnNotLike aws:PrincipalArn`): the readable names of the principals it spares. */
  readonly exceptPrincipals: string[];
  /** True when the row has a condition this model does not read (so a request built from it may not satisfy it). */
  readonly other: boolean;
}

/** The access matrix of one key. */
export interface KeyAccessMatrix {
  readonly stack: string;
  readonly logicalId: string;
  readonly aliases: string[];
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly rows: AccessRow[];
}

interface Resource { Type: string; Properties?: Record<string, any> }
interface Template { Resources?: Record<string, Resource> }
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: any;
  NotPrincipal?: any;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/** What is known of the stack when its template is read (a cloud assembly knows the account and region). */
export interface MatrixScope {
  readonly account?: string;
  readonly region?: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The matrices of every KMS key (and replica key) in a template. */
export function keyAccessMatrices(rawTemplate: Template, stack: string, scope: MatrixScope = {}): KeyAccessMatrix[] {
  const template = evaluatedTemplate(rawTemplate, scope);
  const resources = template.Resources ?? {};
  const names = constructNames(resources);
  const named = (rows: AccessRow[]) => rows.map(row => ({
    ...row,
    principal: renameLogicalIds(row.principal, names),
    conditions: row.conditions.map(c => renameLogicalIds(c, names)),
    narrowing: { ...row.narrowing, exceptPrincipals: row.narrowing.exceptPrincipals.map(p => renameLogicalIds(p, names)) },
  }));
  return Object.entries(resources)
    .filter(([, r]) => KEY_TYPES.has(r.Type))
    .map(([logicalId, key]) => {
      const keyUsage = readable(key.Properties?.KeyUsage ?? 'ENCRYPT_DECRYPT');
      const relevant = capabilitiesForUsage(keyUsage);
      const rows = [
        ...statementsOf(key.Properties?.KeyPolicy).flatMap(s => keyPolicyRows(s)),
        ...identityPolicyRows(resources, logicalId),
      ]
        .map(row => ({ ...row, capabilities: row.capabilities.filter(c => relevant.includes(c)) }))
        .filter(row => row.capabilities.length > 0);
      return {
        stack,
        logicalId: names.get(logicalId) ?? logicalId,
        aliases: aliasesOf(resources, logicalId),
        keySpec: readable(key.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT'),
        keyUsage,
        rows: named(rows),
      };
    });
}

/** The capabilities that mean something for a key usage (a symmetric key cannot sign). */
function capabilitiesForUsage(keyUsage: string): Capability[] {
  switch (keyUsage) {
    case 'SIGN_VERIFY': return ['administer', 'sign', 'verify', 'grant', 'describe'];
    case 'GENERATE_VERIFY_MAC': return ['administer', 'mac', 'grant', 'describe'];
    // DeriveSharedSecret yields a secret, so it reads as decrypt; GetPublicKey as verify (kms-actions.ts).
    case 'KEY_AGREEMENT': return ['administer', 'decrypt', 'verify', 'grant', 'describe'];
    default: return ['administer', 'encrypt', 'decrypt', 'grant', 'describe'];
  }
}

/** Logical ID -> construct path below the stack (`AppRole`), from the `aws:cdk:path` metadata CDK writes. */
function constructNames(resources: Record<string, Resource & { Metadata?: Record<string, unknown> }>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(resources)) {
    const path = resource.Metadata?.['aws:cdk:path'];
    if (typeof path === 'string') names.set(id, path.split('/').slice(1).filter(p => p !== 'Resource').join('/'));
  }
  return names;
}

function renameLogicalIds(text: string, names: Map<string, string>): string {
  return text.replace(/\b[A-Za-z0-9]+\b/g, word => names.get(word) ?? word);
}

/** Renders a matrix as a fixed-width table. */
export function renderAccessMatrix(matrix: KeyAccessMatrix): string {
  const header = `${matrix.stack}/${matrix.logicalId}` +
    (matrix.aliases.length ? ` (${matrix.aliases.join(', ')})` : '') +
    ` — ${matrix.keySpec} ${matrix.keyUsage}`;
  const used = CAPABILITIES.filter(c => matrix.rows.some(r => r.capabilities.includes(c)));
  const table = [
    ['principal', 'effect', ...used, 'conditions', 'source'],
    ...matrix.rows.map(r => [
      r.principal,
      r.effect.toLowerCase(),
      ...used.map(c => r.capabilities.includes(c) ? (r.effect === 'Allow' ? 'yes' : 'DENY') : '-'),
      r.conditions.join('; ') || '-',
      r.source,
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map(row => row[i].length)));
  const lines = table.map(row => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map(w => '-'.repeat(w)).join('  '));
  return [header, ...lines].join('\n');
}

function keyPolicyRows(statement: Statement): AccessRow[] {
  const capabilities = statementCapabilities(statement);
  if (!capabilities.length) return [];
  const principals = statement.NotPrincipal
    ? [`everyone except ${principalNames(statement.NotPrincipal).join(', ')}`]
    : principalNames(statement.Principal);
  const source = `key policy (${typeof statement.Sid === 'string' ? statement.Sid : 'no Sid'})`;
  return principals.map(principal => ({
    principal,
    effect: statement.Effect,
    capabilities,
    conditions: describeConditions(statement.Condition),
    narrowing: narrowingOf(statement.Condition),
    source,
  }));
}

function identityPolicyRows(resources: Record<string, Resource>, keyId: string): AccessRow[] {
  const rows: AccessRow[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const policies: Array<{ name: string; document: unknown; holders: string[] }> = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const holders = [...toArray(resource.Properties?.Roles), ...toArray(resource.Properties?.Users), ...toArray(resource.Properties?.Groups)];
      policies.push({ name: id, document: resource.Properties?.PolicyDocument, holders: holders.map(refName) });
    }
    if (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::User') {
      for (const inline of toArray(resource.Properties?.Policies).filter(isObject)) {
        policies.push({ name: `${id}/${readable(inline.PolicyName)}`, document: inline.PolicyDocument, holders: [id] });
      }
    }
    for (const policy of policies) {
      for (const statement of statementsOf(policy.document)) {
        if (!coversKey(statement, keyId)) continue;
        const capabilities = statementCapabilities(statement);
        if (!capabilities.length) continue;
        for (const holder of policy.holders) {
          rows.push({
            principal: holder,
            effect: statement.Effect,
            capabilities,
            conditions: describeConditions(statement.Condition),
            narrowing: narrowingOf(statement.Condition),
            source: `IAM policy ${policy.name}`,
          });
        }
      }
    }
  }
  return rows;
}

function statementCapabilities(statement: Statement): Capability[] {
  const set = statement.NotAction
    ? capabilitiesOf(strings(statement.NotAction), true)
    : capabilitiesOf(strings(statement.Action));
  return CAPABILITIES.filter(c => set.has(c));
}

/**
 * True when an IAM statement reaches a key of the template: a Resource of `*` or a `key/*` pattern, or naming the key
 * (`${Key.Arn}`, an ARN around `${Key}`); a NotResource reaches every key it does not name. A literal key ARN names a
 * key that exists already, never one the template creates (its ID is not known before deployment).
 */
function coversKey(statement: Statement, keyId: string): boolean {
  const notResource = statement.Resource === undefined && statement.NotResource !== undefined;
  const named = toArray(notResource ? statement.NotResource : statement.Resource)
    .some(r => (typeof r === 'string' && coversAllKeys(r)) || refersTo(r, keyId));
  return notResource ? !named : named;
}

/** Readable names for a Principal element. */
export function principalNames(principal: any): string[] {
  if (principal === '*') return ['everyone'];
  // A Principal is `*` or an object; anything else (or a value known only at deploy time) is shown as it is.
  if (!isObject(principal)) return principal === undefined ? [] : [readable(principal)];
  const names: string[] = [];
  for (const [type, values] of Object.entries(principal ?? {})) {
    for (const value of toArray(values)) {
      if (value === '*') { names.push('everyone'); continue; }
      const text = readable(value);
      const root = ROOT_ARN.exec(text);
      if (type === 'AWS' && root) names.push(`${root[1] === '${AWS::AccountId}' ? 'this account' : `account ${root[1]}`} (root + its IAM policies)`);
      else if (type === 'AWS') names.push(text.replace(/\.Arn$/, ''));
      else names.push(`${type.toLowerCase()} ${text}`);
    }
  }
  return names;
}

/** Readable conditions, e.g. `via s3.eu-west-1.amazonaws.com`, `caller account 111122223333`. */
export function describeConditions(condition: Statement['Condition']): string[] {
  const out: string[] = [];
  if (condition !== undefined && !isObject(condition)) return [`condition ${readable(condition)}`];
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (!isObject(keys)) {
      out.push(`${operator} ${readable(keys)}`);
      continue;
    }
    for (const [key, raw] of Object.entries(keys)) {
      const values = toArray(raw).map(readable);
      const lower = key.toLowerCase();
      if (lower === 'kms:viaservice' && operator === 'StringEquals') {out.push(`via ${values.join(' or ')}`);} else if (lower === 'kms:calleraccount' && operator === 'StringEquals') {out.push(`caller account ${values.join(' or ')}`);} else if (lower.startsWith('kms:encryptioncontext:') && operator === 'StringLike' && values.length === 1 && values[0] === '*') {
        out.push(`context ${key.slice('kms:EncryptionContext:'.length)} present`);
      } else if (lower.startsWith('kms:encryptioncontext:') && operator === 'StringEquals') {
        out.push(`context ${key.slice('kms:EncryptionContext:'.length)}=${values.join('|')}`);
      } else if (lower === 'kms:grantisforawsresource' && operator === 'Bool' && values[0] === 'true') {out.push('grants for AWS resources only');} else if (lower === 'aws:principalarn' && operator === 'ArnNotLike') {out.push(`unless principal is ${values.map(shortArn).join(' or ')}`);} else {out.push(`${operator} ${key} ${values.join('|')}`);}
    }
  }
  return out;
}

/** `arn:<partition>:iam::<account>:root`, where the partition may be a `${AWS::Partition}` placeholder. */
const ROOT_ARN = /^arn:(?:\$\{AWS::Partition\}|[^:]+):iam::(\$\{AWS::AccountId\}|[^:]+):root$/;

function accountName(account: string): string {
  return account === '${AWS::AccountId}' ? 'this account' : account;
}

/** Shortens ARNs in conditions: root ARNs become `root of <account>`, roles keep their name. */
function shortArn(value: string): string {
  const root = ROOT_ARN.exec(value);
  if (root) return `root of ${accountName(root[1])}`;
  const role = /^arn:(?:\$\{AWS::Partition\}|[^:]+):iam::[^:]+:role\/(.+)$/.exec(value);
  if (role) return `role ${role[1]}`;
  return value.replace(/\.Arn$/, '');
}

function aliasesOf(resources: Record<string, Resource>, keyId: string): string[] {
  return Object.values(resources)
    .filter(r => r.Type === 'AWS::KMS::Alias' && refersTo(r.Properties?.TargetKeyId, keyId))
    .map(r => readable(r.Properties?.AliasName));
}

/**
 * The statements of a policy document that say something: objects with an Effect of Allow or Deny. Anything else
 * (a statement known only at deploy time, a malformed one) grants nothing a matrix could show; the guard's GK0
 * reports it.
 */
function statementsOf(document: unknown): Statement[] {
  const statements = isObject(document) ? document.Statement : undefined;
  return toArray(statements).filter((s): s is Statement => isObject(s) && (s.Effect === 'Allow' || s.Effect === 'Deny'));
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unresolved);
const strings = (v: unknown): string[] => toArray(v).filter((x): x is string => typeof x === 'string');

function refName(ref: unknown): string {
  return readable(ref);
}

/**
 * The template with every intrinsic evaluated (see `guard/evaluate.ts`); resources whose Condition is false are
 * dropped, as CloudFormation would not create them.
 */
function evaluatedTemplate(template: Template, scope: MatrixScope): Template {
  const evaluationScope: EvaluationScope = { ...scope, template: template as EvaluationScope['template'] };
  const resources: Record<string, Resource> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const condition = (resource as { Condition?: string }).Condition;
    if (condition !== undefined && evaluate({ 'Fn::If': [condition, true, false] }, evaluationScope) === false) continue;
    resources[id] = { ...resource, Properties: evaluate(resource.Properties ?? {}, evaluationScope) as Record<string, any> };
  }
  return { Resources: resources };
}

/**
 * A readable name for an evaluated value: placeholders become what `readableToken` makes of the intrinsic they
 * stand for (`${AppRole.Arn}` -> `AppRole.Arn`, a cross-region import -> `Role (Stack)`), pseudo parameters stay.
 */
function readable(value: unknown): string {
  if (value instanceof Unresolved) return `(unresolved: ${value.reason})`;
  // Evaluated values hold no intrinsics any more: anything but a string is literal data, shown as JSON.
  if (typeof value !== 'string') return String(JSON.stringify(value));
  const whole = /^\$\{([^}]+)\}$/.exec(value)?.[1];
  if (whole && !whole.startsWith('AWS::')) {
    const dot = whole.indexOf('.');
    return dot < 0 ? whole : readableToken({ 'Fn::GetAtt': [whole.slice(0, dot), whole.slice(dot + 1)] });
  }
  return value.replace(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g, '$1');
}

/** True when an evaluated value names a resource of the template (`${Key}`, `${Key.Arn}`, inside an ARN or alone). */
function refersTo(value: unknown, logicalId: string): boolean {
  return typeof value === 'string' && (value.includes(`\${${logicalId}}`) || value.includes(`\${${logicalId}.`));
}

/** The conditions of a statement as data (see {@link RowNarrowing}). */
function narrowingOf(condition: Statement['Condition']): RowNarrowing {
  const narrowing = {
    viaServices: [] as string[],
    callerAccounts: [] as string[],
    encryptionContext: {} as Record<string, string>,
    exceptPrincipals: [] as string[],
    other: false,
  };
  // A condition this model cannot read narrows in a way it does not know: `other`.
  if (condition !== undefined && !isObject(condition)) return { ...narrowing, other: true };
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (!isObject(keys)) {
      narrowing.other = true;
      continue;
    }
    for (const [key, raw] of Object.entries(keys)) {
      const values = toArray(raw).map(readable);
      const lower = key.toLowerCase();
      if (lower === 'kms:viaservice' && operator === 'StringEquals') {narrowing.viaServices.push(...values);} else if (lower === 'kms:calleraccount' && operator === 'StringEquals') {narrowing.callerAccounts.push(...values);} else if (lower.startsWith('kms:encryptioncontext:') && values.length >= 1 && ['StringEquals', 'StringLike', 'ArnLike', 'ArnEquals'].includes(operator)) {
        narrowing.encryptionContext[key.slice('kms:EncryptionContext:'.length)] = values[0];
      } else if (lower === 'aws:principalarn' && operator === 'ArnNotLike') {narrowing.exceptPrincipals.push(...values.map(shortArn));} else if (!(lower === 'kms:grantisforawsresource' && operator === 'Bool')) {narrowing.other = true;}
    }
  }
  return narrowing;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
