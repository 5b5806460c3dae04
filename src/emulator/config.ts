import { readFileSync } from 'fs';
import { NamedPolicy, PolicyDocumentJson } from './authz/types';

/** A caller the emulator knows, as the configuration file declares it. */
export interface PrincipalConfig {
  /**
   * e.g. `arn:aws:iam::111122223333:role/App` or `arn:aws:iam::111122223333:root`, or a service principal such as
   * `logs.eu-west-1.amazonaws.com` (a service calling KMS as itself; only key policies and grants can allow it).
   */
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** IAM identity policies: plain documents, or `{ name, document }`. */
  readonly identityPolicies?: Array<PolicyDocumentJson | NamedPolicy>;
  /** Principal tags (`aws:PrincipalTag/<tag>`). */
  readonly tags?: Record<string, string>;
}

/** The emulator's configuration file. */
export interface EmulatorConfig {
  readonly principals?: PrincipalConfig[];
}

const ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|role\/.+|user\/.+|assumed-role\/.+)$/;
/** A service principal, as key policies name it (`Principal: { Service: 'logs.eu-west-1.amazonaws.com' }`). */
export const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

/** Reads a configuration from a path or an object, refusing what it cannot use with a message naming the field. */
export function loadConfig(source: EmulatorConfig | string | undefined): EmulatorConfig {
  if (source === undefined) return {};
  const config = typeof source === 'string' ? parseFile(source) : source;
  const seen = new Set<string>();
  (config.principals ?? []).forEach((p, i) => {
    const where = `principals[${i}]`;
    if (typeof p?.arn !== 'string' || !(ARN.test(p.arn) || SERVICE_PRINCIPAL.test(p.arn))) {
      throw new Error(`${where}.arn must be an IAM ARN (root, role or user) or a service principal. Received: ${JSON.stringify(p?.arn)}`);
    }
    if (typeof p.accessKeyId !== 'string' || !/^[A-Z0-9]{4,128}$/.test(p.accessKeyId)) throw new Error(`${where}.accessKeyId must be 4-128 uppercase letters or digits`);
    if (typeof p.secretAccessKey !== 'string' || p.secretAccessKey.length < 8) throw new Error(`${where}.secretAccessKey must be at least 8 characters`);
    if (seen.has(p.accessKeyId)) throw new Error(`${where}.accessKeyId ${p.accessKeyId} is declared twice`);
    seen.add(p.accessKeyId);
  });
  return config;
}

function parseFile(path: string): EmulatorConfig {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EmulatorConfig;
  } catch (err) {
    throw new Error(`cannot read the emulator configuration ${path}: ${(err as Error).message}`);
  }
}

/** The account of an IAM ARN; a service principal belongs to no account (''). */
export function accountOfArn(arn: string): string {
  if (SERVICE_PRINCIPAL.test(arn)) return '';
  const match = ARN.exec(arn);
  if (!match) throw new Error(`not an IAM ARN: ${arn}`);
  return match[2];
}
