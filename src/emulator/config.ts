import { readFileSync } from 'fs';
import { NamedPolicy, PolicyDocumentJson, PolicyStatementJson } from './authz/types';
import {
  arrayOf, aString, either, isPlainObject, mapOf, matching, objectOf, oneOf, optional, problemsOf, Shape,
} from './shape';

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

/**
 * The emulator's own administrator: the only credential that may call the emulator-only `GuardedKeys.*` API
 * (registering principals). It is not a KMS principal and cannot call KMS operations.
 */
export interface AdminCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The emulator's configuration file. */
export interface EmulatorConfig {
  readonly principals?: PrincipalConfig[];
  /** @default - read from `<dataDir>/admin.json`, or generated (and kept there when there is a data directory) */
  readonly admin?: AdminCredential;
}

const ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|role\/.+|user\/.+|assumed-role\/.+)$/;
/** A service principal, as key policies name it (`Principal: { Service: 'logs.eu-west-1.amazonaws.com' }`). */
export const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{4,128}$/;
/** The shortest secret accepted: principals' secrets are test fixtures; the admin's guards every account. */
const MIN_SECRET_CHARS = 8;
const MIN_ADMIN_SECRET_CHARS = 16;

/** A secret of at least `min` characters, never quoted back in a message. */
function secretOf(min: number): Shape {
  return (value, path, problems) => {
    if (typeof value !== 'string' || value.length < min) problems.push(`${path} must be a string of at least ${min} characters`);
  };
}

const STRINGS: Shape = either(Array.isArray, arrayOf(aString), aString);
const CONDITION_VALUE: Shape = (value, path, problems) => {
  const ok = (v: unknown) => ['string', 'boolean', 'number'].includes(typeof v);
  if (!(ok(value) || (Array.isArray(value) && value.every(ok)))) problems.push(`${path} must be a string, number, boolean or an array of them`);
};
/** IAM identity policies have no Principal: IAM refuses one, and so does the emulator. */
const STATEMENT = objectOf<Omit<PolicyStatementJson, 'Principal' | 'NotPrincipal'>>({
  Sid: optional(aString),
  Effect: oneOf('Allow', 'Deny'),
  Action: optional(STRINGS),
  NotAction: optional(STRINGS),
  Resource: optional(STRINGS),
  NotResource: optional(STRINGS),
  Condition: optional(mapOf(mapOf(CONDITION_VALUE))),
});
const POLICY = objectOf<PolicyDocumentJson>({
  Version: optional(oneOf('2012-10-17', '2008-10-17')),
  Id: optional(aString),
  Statement: either(Array.isArray, arrayOf(STATEMENT), STATEMENT),
});
const NAMED_POLICY = objectOf<NamedPolicy>({ name: aString, document: POLICY });

/** A principal's shape, as the config file and the journal (principals registered at run time) hold it. */
export const PRINCIPAL_SHAPE = objectOf<PrincipalConfig>({
  arn: (value, path, problems) => {
    if (typeof value !== 'string' || !(ARN.test(value) || SERVICE_PRINCIPAL.test(value))) {
      problems.push(`${path} must be an IAM ARN (root, role or user) or a service principal. Received: ${JSON.stringify(value)}`);
    }
  },
  accessKeyId: matching(ACCESS_KEY_ID, '4-128 uppercase letters or digits'),
  secretAccessKey: secretOf(MIN_SECRET_CHARS),
  identityPolicies: optional(arrayOf(either(v => isPlainObject(v) && 'document' in v, NAMED_POLICY, POLICY))),
  tags: optional(mapOf(aString)),
});

const ADMIN = objectOf<AdminCredential>({
  accessKeyId: matching(ACCESS_KEY_ID, '4-128 uppercase letters or digits'),
  secretAccessKey: secretOf(MIN_ADMIN_SECRET_CHARS),
});

const CONFIG = objectOf<EmulatorConfig>({ principals: optional(arrayOf(PRINCIPAL_SHAPE)), admin: optional(ADMIN) });

/**
 * Reads a configuration from a path or an object, refusing what it cannot use (a wrong type, a missing field, a
 * field it does not know, a duplicate access key) with every problem named by its path, e.g.
 * `principals[0].policies is not a known field`.
 */
export function loadConfig(source: EmulatorConfig | string | undefined): EmulatorConfig {
  if (source === undefined) return {};
  const config = typeof source === 'string' ? parseFile(source) : source;
  const problems = problemsOf(config, CONFIG, '');
  if (problems.length === 0) problems.push(...duplicateKeys(config));
  if (problems.length) {
    const where = typeof source === 'string' ? ` ${source}` : '';
    throw new Error(`invalid emulator configuration${where}: ${problems.join('; ')}`);
  }
  return config;
}

/** Access key ids must be unique, the admin's included. */
function duplicateKeys(config: EmulatorConfig): string[] {
  const problems: string[] = [];
  const seen = new Set<string>(config.admin ? [config.admin.accessKeyId] : []);
  (config.principals ?? []).forEach((p, i) => {
    if (seen.has(p.accessKeyId)) problems.push(`principals[${i}].accessKeyId ${p.accessKeyId} is declared twice (or is the admin's)`);
    seen.add(p.accessKeyId);
  });
  return problems;
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
