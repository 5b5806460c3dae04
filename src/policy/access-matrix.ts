import { Capability, CAPABILITIES, capabilitiesOf } from './kms-actions';
import { readableToken } from './principal-identity';

/**
 * The access matrix of the KMS keys in a synthesized template: who can administer, encrypt, decrypt,
 * create grants, sign, verify or use MACs, under which conditions, and which statement says so.
 *
 * It is read from the template itself (the key policy, and the IAM policies in the same template
 * whose Resource covers the key), not from the constructs' props, so it shows what will be deployed,
 * including statements other constructs added.
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
  /** Where the statement lives: `key policy (Sid)` or `IAM policy Name`. */
  readonly source: string;
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
  Condition?: Record<string, Record<string, unknown>>;
}

const KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/** The matrices of every KMS key (and replica key) in a template. */
export function keyAccessMatrices(template: Template, stack: string): KeyAccessMatrix[] {
  const resources = template.Resources ?? {};
  const names = constructNames(resources);
  const readable = (rows: AccessRow[]) => rows.map(row => ({
    ...row,
    principal: renameLogicalIds(row.principal, names),
    conditions: row.conditions.map(c => renameLogicalIds(c, names)),
  }));
  return Object.entries(resources)
    .filter(([, r]) => KEY_TYPES.has(r.Type))
    .map(([logicalId, key]) => {
      const keyUsage = key.Properties?.KeyUsage ?? 'ENCRYPT_DECRYPT';
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
        keySpec: key.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT',
        keyUsage,
        rows: readable(rows),
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
  const source = `key policy (${statement.Sid ?? 'no Sid'})`;
  return principals.map(principal => ({
    principal, effect: statement.Effect, capabilities, conditions: describeConditions(statement.Condition), source,
  }));
}

function identityPolicyRows(resources: Record<string, Resource>, keyId: string): AccessRow[] {
  const rows: AccessRow[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const policies: Array<{ name: string; document: unknown; holders: string[] }> = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const holders = [...(resource.Properties?.Roles ?? []), ...(resource.Properties?.Users ?? []), ...(resource.Properties?.Groups ?? [])];
      policies.push({ name: id, document: resource.Properties?.PolicyDocument, holders: holders.map(refName) });
    }
    if (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::User') {
      for (const inline of resource.Properties?.Policies ?? []) {
        policies.push({ name: `${id}/${inline.PolicyName}`, document: inline.PolicyDocument, holders: [id] });
      }
    }
    for (const policy of policies) {
      for (const statement of statementsOf(policy.document)) {
        if (!coversKey(statement.Resource, keyId)) continue;
        const capabilities = statementCapabilities(statement);
        if (!capabilities.length) continue;
        for (const holder of policy.holders) {
          rows.push({
            principal: holder,
            effect: statement.Effect,
            capabilities,
            conditions: describeConditions(statement.Condition),
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
    ? capabilitiesOf(toArray(statement.NotAction), true)
    : capabilitiesOf(toArray(statement.Action));
  return CAPABILITIES.filter(c => set.has(c));
}

function coversKey(resource: unknown, keyId: string): boolean {
  return toArray(resource).some(r => r === '*' || (typeof r === 'string' && r.startsWith('arn:') && r.includes(':key/')) ||
    JSON.stringify(r).includes(`"${keyId}"`));
}

/** Readable names for a Principal element. */
export function principalNames(principal: any): string[] {
  if (principal === '*') return ['everyone'];
  const names: string[] = [];
  for (const [type, values] of Object.entries(principal ?? {})) {
    for (const value of toArray(values)) {
      if (value === '*') { names.push('everyone'); continue; }
      const text = readableToken(value);
      const root = ROOT_ARN.exec(text);
      if (type === 'AWS' && root) names.push(`account ${accountName(root[1])} (root + its IAM policies)`);
      else if (type === 'AWS') names.push(text.replace(/\.Arn$/, ''));
      else names.push(`${type.toLowerCase()} ${text}`);
    }
  }
  return names;
}

/** Readable conditions, e.g. `via s3.eu-west-1.amazonaws.com`, `caller account 111122223333`. */
export function describeConditions(condition: Statement['Condition']): string[] {
  const out: string[] = [];
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, raw] of Object.entries(keys)) {
      const values = toArray(raw).map(readableToken);
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
    .filter(r => r.Type === 'AWS::KMS::Alias' && JSON.stringify(r.Properties?.TargetKeyId ?? '').includes(`"${keyId}"`))
    .map(r => readableToken(r.Properties?.AliasName));
}

function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: Statement | Statement[] } | undefined)?.Statement;
  return toArray(statements);
}

function refName(ref: unknown): string {
  return readableToken(ref);
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
