import { AccessOptions, CheckableAction, checkAccess } from './access';
import { DeployedKey, DeployedPrincipal, DeployedResource, LocalDeployment } from './deployment';
import { serviceModelFor } from './services';
import { UseMode } from './services/types';
import { checkServiceUse, ServiceUseResult } from './services/use';
import { AccessRow, KeyAccessMatrix, RowNarrowing } from '../policy/access-matrix';
import { Capability } from '../policy/kms-actions';

/**
 * The requests that exercise each capability, tried in order until one is allowed: the capability is the union of its
 * actions (kms-actions.ts), and a statement may allow only some of them (a deploy-time handler may GenerateDataKey
 * and ReEncryptTo, never Encrypt; it may ReEncryptFrom an old key, never Decrypt it).
 */
const ACTIONS_OF: Partial<Record<Capability, readonly CheckableAction[]>> = {
  administer: ['kms:UpdateKeyDescription'],
  encrypt: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptTo'],
  decrypt: ['kms:Decrypt', 'kms:ReEncryptFrom'],
  grant: ['kms:CreateGrant'],
  describe: ['kms:DescribeKey'],
  sign: ['kms:Sign'],
  verify: ['kms:Verify'],
  mac: ['kms:GenerateMac'],
};

/** One measured cell: what the policy model says, and what the emulator answered to a real request. */
export interface MeasuredCell {
  readonly principal: string;
  readonly capability: Capability;
  /** The request's narrowing, taken from the statement that should allow it. */
  readonly options: AccessOptions;
  readonly expected: boolean;
  readonly measured: boolean;
}

export interface MeasuredMatrix {
  readonly key: string;
  readonly cells: MeasuredCell[];
}

/**
 * Measures a key's access matrix by real requests: for every deployed principal and every capability the key
 * offers, the request is made as that principal — with the service and encryption context the allowing statement
 * requires, when one does — and compared with what the matrix derived from the policies says.
 */
export async function measureAccessMatrix(deployment: LocalDeployment, matrix: KeyAccessMatrix, stack: string): Promise<MeasuredMatrix> {
  const key = deployment.keys.find(k => k.stack === stack && (k.path === matrix.logicalId || k.logicalId === matrix.logicalId));
  if (!key) throw new Error(`key ${stack}/${matrix.logicalId} is not in the deployment`);
  const capabilities = [...new Set(matrix.rows.flatMap(r => r.capabilities))];
  const cells: MeasuredCell[] = [];
  for (const principal of deployment.principals.filter(p => p.account === key.account)) {
    const name = principal.path ?? principal.logicalId;
    for (const capability of capabilities) {
      const actions = ACTIONS_OF[capability];
      if (!actions) continue;
      const allowing = matrix.rows.find(r => r.effect === 'Allow' && r.capabilities.includes(capability) && samePrincipal(r.principal, name));
      const denying = matrix.rows.find(r => r.effect === 'Deny' && r.capabilities.includes(capability) && denies(r, name));
      const options = allowing ? optionsFrom(allowing.narrowing) : {};
      const measured = await anyAllowed(deployment, principal, actions, key, options);
      cells.push({ principal: name, capability, options, expected: allowing !== undefined && denying === undefined, measured });
    }
  }
  return { key: `${stack}/${matrix.logicalId}`, cells };
}

/**
 * Whether any of the actions is allowed. A ReEncrypt action is tried with the key on both ends, then with each other
 * key of the account and region at the other end, since KMS asks for the other half of the pair there.
 */
async function anyAllowed(
  deployment: LocalDeployment, principal: DeployedPrincipal, actions: readonly CheckableAction[], key: DeployedKey, options: AccessOptions,
): Promise<boolean> {
  const others = deployment.keys.filter(k => k !== key && k.account === key.account && k.region === key.region);
  for (const action of actions) {
    const counterparts = action === 'kms:ReEncryptFrom' || action === 'kms:ReEncryptTo' ? [key, ...others] : [key];
    for (const counterpartKey of counterparts) {
      try {
        if ((await checkAccess(deployment, principal, action, key, { ...options, counterpartKey })).allowed) return true;
      } catch (err) {
        // Another key that cannot take part in a ReEncrypt (an asymmetric key) is no pairing to try; the key itself is.
        if (counterpartKey === key) throw err;
      }
    }
  }
  return false;
}

/** Renders measured cells as a table; a disagreement with the policy model is marked `!!`. */
export function renderMeasuredMatrix(measured: MeasuredMatrix): string {
  const principals = [...new Set(measured.cells.map(c => c.principal))];
  const capabilities = [...new Set(measured.cells.map(c => c.capability))];
  const rows = [['principal (measured)', ...capabilities]];
  for (const principal of principals) {
    rows.push([principal, ...capabilities.map(cap => {
      const cell = measured.cells.find(c => c.principal === principal && c.capability === cap)!;
      const mark = cell.measured ? 'yes' : '-';
      return cell.measured === cell.expected ? mark : `${mark} !!`;
    })]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  const disagreements = measured.cells.filter(c => c.expected !== c.measured).length;
  return [
    `${measured.key} — measured by real requests (${disagreements === 0 ? 'agrees with the policy model' : `${disagreements} disagreement(s) marked !!`})`,
    ...rows.map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()),
  ].join('\n');
}

/** A deny row applies to a principal it names, or to `everyone` unless its exception names the principal. */
function denies(row: AccessRow, name: string): boolean {
  if (samePrincipal(row.principal, name)) return true;
  if (row.principal !== 'everyone') return false;
  const except = row.narrowing.exceptPrincipals;
  if (!except.length) return row.conditions.length === 0;
  return !except.some(p => samePrincipal(p, name));
}

function samePrincipal(matrixName: string, deployedName: string): boolean {
  return matrixName === deployedName || matrixName.replace(/ \([^)]*\)$/, '') === deployedName;
}

/** A row's narrowing -> the request that satisfies it (a context pattern is filled in: `*` matches `demo`). */
function optionsFrom(narrowing: RowNarrowing): AccessOptions {
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(narrowing.encryptionContext)) context[key] = value.replace(/\*/g, 'demo').replace(/\?/g, 'x');
  return { viaService: narrowing.viaServices[0], encryptionContext: Object.keys(context).length ? context : undefined };
}

const EMPTY_NARROWING: RowNarrowing = { viaServices: [], callerAccounts: [], encryptionContext: {}, exceptPrincipals: [], other: false };

/** One measured service use: may this principal read (write) this resource through its service? */
export interface ServiceUseCell {
  readonly principal: string;
  readonly resource: string;
  readonly service: string;
  readonly mode: UseMode;
  readonly allowed: boolean;
  /** Why not, in a few words: the IAM action or the KMS request that was refused, and what decided. */
  readonly why?: string;
}

/** The service uses of one key, measured by the requests each service makes. */
export interface ServiceUseMatrix {
  readonly key: string;
  /** Encryption context the callers added where the service lets them (S3), taken from the key's policy. */
  readonly callerContext?: Record<string, string>;
  readonly cells: ServiceUseCell[];
}

/**
 * Measures, for every resource whose service uses the key, whether each deployed principal can read and write it:
 * the principal's IAM policies and the KMS requests the service makes, sent to the emulator. Where the service lets
 * a caller add encryption context (S3), the context the key's policy requires is added (from the matrix).
 */
export async function measureServiceUses(
  deployment: LocalDeployment, key: string | DeployedKey, matrix?: KeyAccessMatrix,
): Promise<ServiceUseMatrix> {
  const k = typeof key === 'string' ? deployment.key(key) : key;
  const contextOf = (rows: AccessRow[]) => Object.assign({}, ...rows.map(r => r.narrowing.encryptionContext)) as Record<string, string>;
  const required = optionsFrom({ ...EMPTY_NARROWING, encryptionContext: contextOf((matrix?.rows ?? []).filter(r => r.effect === 'Allow')) }).encryptionContext;
  const cells: ServiceUseCell[] = [];
  for (const resource of deployment.resources.filter(r => usesKey(deployment, r, k))) {
    const model = serviceModelFor(resource.type)!;
    for (const principal of deployment.principals) {
      for (const mode of ['read', 'write'] as const) {
        const options = model.acceptsCallerContext && required ? { encryptionContext: required } : {};
        const result = await checkServiceUse(deployment, principal, resource, mode, options);
        const { principal: name, resource: used, service, allowed } = result;
        cells.push({ principal: name, resource: used, service, mode, allowed, why: whyNot(result) });
      }
    }
  }
  return { key: `${k.stack}/${k.path ?? k.logicalId}`, callerContext: required, cells };
}

/** `AppRole reads CustomerBucket via S3: yes`, one line a cell, under the key. */
export function renderServiceUses(measured: ServiceUseMatrix): string {
  const context = measured.callerContext ? ` (callers add ${JSON.stringify(measured.callerContext)} where the service lets them)` : '';
  const lines = [`${measured.key} — service uses measured by the requests each service makes${context}`];
  if (measured.cells.length === 0) lines.push('  (no resource of the deployment uses this key through a service)');
  for (const c of measured.cells) {
    lines.push(`  ${c.principal} ${c.mode === 'read' ? 'reads' : 'writes'} ${c.resource} via ${c.service}: ${c.allowed ? 'yes' : `no — ${c.why}`}`);
  }
  return lines.join('\n');
}

function usesKey(deployment: LocalDeployment, resource: DeployedResource, key: DeployedKey): boolean {
  const model = serviceModelFor(resource.type);
  if (!model) return false;
  const aliases = deployment.aliases.filter(a => a.keyId === key.keyId && a.region === key.region).map(a => a.aliasName);
  return model.keysOf(resource).some(named => named.region === key.region
    && (named.keyId === key.keyId || named.keyId === key.arn || aliases.some(a => named.keyId === a || named.keyId.endsWith(`:${a}`))));
}

function whyNot(result: ServiceUseResult): string | undefined {
  if (result.allowed) return undefined;
  const iam = result.iam.find(i => !i.allowed);
  if (iam) return iam.reason.startsWith('explicitly') ? `${iam.action} ${iam.reason}` : `no IAM policy allows ${iam.action}`;
  const kms = result.kms.find(c => !c.allowed)!;
  return `kms:${kms.call.operation} as ${kms.caller}: ${kms.reason}`;
}
