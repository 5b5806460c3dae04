import { AccessOptions, checkAccess } from './access';
import { LocalDeployment } from './deployment';
import { KeyAccessMatrix } from '../policy/access-matrix';
import { Capability } from '../policy/kms-actions';

/** The request that exercises each capability. */
const ACTION_OF: Partial<Record<Capability, string>> = {
  administer: 'kms:UpdateKeyDescription',
  encrypt: 'kms:Encrypt',
  decrypt: 'kms:Decrypt',
  grant: 'kms:CreateGrant',
  describe: 'kms:DescribeKey',
  sign: 'kms:Sign',
  verify: 'kms:Verify',
  mac: 'kms:GenerateMac',
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
      const action = ACTION_OF[capability];
      if (!action) continue;
      const allowing = matrix.rows.find(r => r.effect === 'Allow' && r.capabilities.includes(capability) && samePrincipal(r.principal, name));
      const denying = matrix.rows.find(r => r.effect === 'Deny' && r.capabilities.includes(capability) && denies(r, name));
      const options = allowing ? optionsFrom(allowing.conditions) : {};
      const result = await checkAccess(deployment, principal, action, key, options);
      cells.push({ principal: name, capability, options, expected: allowing !== undefined && denying === undefined, measured: result.allowed });
    }
  }
  return { key: `${stack}/${matrix.logicalId}`, cells };
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
function denies(row: { principal: string; conditions: string[] }, name: string): boolean {
  if (samePrincipal(row.principal, name)) return true;
  if (row.principal !== 'everyone') return false;
  const exception = row.conditions.find(c => c.startsWith('unless principal is '));
  if (!exception) return row.conditions.length === 0;
  return !exception.slice('unless principal is '.length).split(' or ').some(p => samePrincipal(p, name));
}

function samePrincipal(matrixName: string, deployedName: string): boolean {
  return matrixName === deployedName || matrixName.replace(/ \([^)]*\)$/, '') === deployedName;
}

/** `via s3.eu-west-1.amazonaws.com; context tenant present` -> the request that satisfies it. */
function optionsFrom(conditions: string[]): AccessOptions {
  const context: Record<string, string> = {};
  let viaService: string | undefined;
  for (const condition of conditions) {
    const via = /^via (\S+)/.exec(condition);
    if (via) viaService = via[1];
    const present = /^context (.+) present$/.exec(condition);
    if (present) context[present[1]] = 'demo';
    const equals = /^context ([^=]+)=([^|]+)/.exec(condition);
    if (equals) context[equals[1]] = equals[2];
  }
  return { viaService, encryptionContext: Object.keys(context).length ? context : undefined };
}
