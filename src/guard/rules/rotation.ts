import { Unresolved } from '../evaluate';
import { GuardKey } from '../model';
import { GuardRule, keyHit, RuleHit } from '../rule';

/** Origins whose keys KMS cannot rotate automatically (imported material, custom key stores). */
const NON_ROTATING_ORIGINS = new Set(['EXTERNAL', 'EXTERNAL_KEY_STORE', 'AWS_CLOUDHSM']);

const spec = (key: GuardKey) => key.properties.KeySpec ?? 'SYMMETRIC_DEFAULT';
const origin = (key: GuardKey) => key.properties.Origin ?? 'AWS_KMS';
/** True when a property a rotation rule reads is known only at deploy time (GK0 reports it; the rule passes over). */
const undecided = (key: GuardKey): boolean =>
  ['KeySpec', 'Origin', 'EnableKeyRotation', 'RotationPeriodInDays'].some(p => key.properties[p] instanceof Unresolved);

/** GK1: symmetric keys rotate, no less often than the configured maximum. */
export const ROTATION_ON: GuardRule = {
  id: 'GK1',
  title: 'Symmetric keys rotate automatically, at most every rotationMaxDays (default 365)',
  defaultSeverity: 'error',
  why: 'Rotation limits how much data one key version protects; replicas follow their primary, and imported or custom-key-store material cannot rotate (GK7).',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
  check: (stack, config) => stack.keys.filter(k => k.type === 'AWS::KMS::Key').flatMap((key): RuleHit[] => {
    if (undecided(key)) return [];
    if (spec(key) !== 'SYMMETRIC_DEFAULT' || NON_ROTATING_ORIGINS.has(origin(key) as string)) return [];
    if (key.properties.EnableKeyRotation !== true && key.properties.EnableKeyRotation !== 'true') {
      return [keyHit(key, 'automatic rotation is off: set EnableKeyRotation: true', `/Resources/${key.logicalId}/Properties`)];
    }
    const period = Number(key.properties.RotationPeriodInDays ?? 365);
    return period > config.rotationMaxDays
      ? [keyHit(key, `the rotation period is ${period} days, over the maximum of ${config.rotationMaxDays}`, `/Resources/${key.logicalId}/Properties/RotationPeriodInDays`)]
      : [];
  }),
};

/** GK7: rotation is not asked of keys that cannot rotate (CloudFormation fails the deployment). */
export const ROTATION_POSSIBLE: GuardRule = {
  id: 'GK7',
  title: 'EnableKeyRotation is not set on asymmetric, HMAC, imported or custom-key-store keys',
  defaultSeverity: 'error',
  why: 'KMS rotates only symmetric encryption keys with AWS_KMS material: EnableKeyRotation on any other key fails the deployment.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html#rotating-keys-supported',
  check: stack => stack.keys.filter(k => k.type === 'AWS::KMS::Key').flatMap((key): RuleHit[] => {
    if (undecided(key) || (key.properties.EnableKeyRotation !== true && key.properties.EnableKeyRotation !== 'true')) return [];
    const problem = spec(key) !== 'SYMMETRIC_DEFAULT' ? `a ${String(spec(key))} key`
      : NON_ROTATING_ORIGINS.has(origin(key) as string) ? `a key with Origin ${String(origin(key))}` : undefined;
    return problem ? [keyHit(key, `EnableKeyRotation is true on ${problem}, which KMS cannot rotate: the deployment fails`, `/Resources/${key.logicalId}/Properties/EnableKeyRotation`)] : [];
  }),
};
