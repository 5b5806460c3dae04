import { readFileSync } from 'fs';
import { GUARD_RULES } from './catalogue';
import { PATTERN_NAME } from './pattern-marker';
import type { Severity } from './rule';
import { GuardInputError } from './template-source';

/**
 * The guard's configuration (`guard.json`): severities, the limits some rules check, and suppressions. Every field
 * is optional; an unknown field, a bad value or a suppression without a reason is refused, so a typo cannot
 * silently turn a rule off.
 * @module
 */

/** One suppression: a rule that does not apply to a resource, and why. */
export interface GuardSuppression {
  /** A logical ID, `Stack/LogicalId`, or a construct path; `*` and `?` are wildcards. */
  readonly resource: string;
  readonly rules: string[];
  /** Required: shown in every report, so reviewers see why. */
  readonly reason: string;
}

/** The guard's configuration, defaults applied. */
export interface GuardConfig {
  /** Per rule id: `error`, `warning`, `info` or `off`. */
  readonly severities: Readonly<Record<string, Severity | 'off'>>;
  /** Longest rotation period allowed (GK1). */
  readonly rotationMaxDays: number;
  /** Shortest deletion window allowed (GK5). */
  readonly deletionWindowMinDays: number;
  /** Tag keys every key must carry (GK15). */
  readonly requiredTags: string[];
  /** Regions keys may live in (GK16); empty means any. */
  readonly allowedRegions: string[];
  /** Names of the `KeyPattern`s keys must be made from (GK17); empty means any key passes. */
  readonly approvedPatterns: string[];
  /** Values for template parameters, so conditions on them can be evaluated. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly suppressions: GuardSuppression[];
}

export const DEFAULT_ROTATION_MAX_DAYS = 365;
export const DEFAULT_DELETION_WINDOW_MIN_DAYS = 30;
/** KMS's own bounds (rotation period 90-2560 days, deletion window 7-30 days). */
const ROTATION_RANGE = [90, 2560] as const;
const DELETION_RANGE = [7, 30] as const;
const SEVERITIES = ['error', 'warning', 'info', 'off'];
const FIELDS = ['severities', 'rotationMaxDays', 'deletionWindowMinDays', 'requiredTags', 'allowedRegions', 'approvedPatterns', 'parameters', 'suppressions'];

/** The configuration when none is given. */
export const DEFAULT_CONFIG: GuardConfig = {
  severities: {},
  rotationMaxDays: DEFAULT_ROTATION_MAX_DAYS,
  deletionWindowMinDays: DEFAULT_DELETION_WINDOW_MIN_DAYS,
  requiredTags: [],
  allowedRegions: [],
  approvedPatterns: [],
  parameters: {},
  suppressions: [],
};

/** Reads and checks `guard.json`. */
export function readGuardConfig(file: string): GuardConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GuardInputError(`${file}: cannot be read as JSON (${(err as Error).message})`);
  }
  return guardConfig(json, file);
}

/** Checks a configuration object, reporting every problem at once. */
export function guardConfig(json: unknown, label = 'guard configuration'): GuardConfig {
  const problems: string[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new GuardInputError(`${label}: must be a JSON object`);
  const raw = json as Record<string, unknown>;
  for (const field of Object.keys(raw).filter(f => !FIELDS.includes(f))) problems.push(`unknown field '${field}' (known: ${FIELDS.join(', ')})`);

  const severities = record(raw.severities, 'severities', problems);
  for (const [rule, severity] of Object.entries(severities)) {
    if (!SEVERITIES.includes(severity as string)) problems.push(`'severities.${rule}' must be one of ${SEVERITIES.join(', ')}. Received: ${JSON.stringify(severity)}`);
    if (!isRuleId(rule)) problems.push(unknownRule(`severities.${rule}`, rule));
  }
  const rotationMaxDays = days(raw.rotationMaxDays, 'rotationMaxDays', ROTATION_RANGE, DEFAULT_ROTATION_MAX_DAYS, problems);
  const deletionWindowMinDays = days(raw.deletionWindowMinDays, 'deletionWindowMinDays', DELETION_RANGE, DEFAULT_DELETION_WINDOW_MIN_DAYS, problems);
  const requiredTags = strings(raw.requiredTags, 'requiredTags', problems);
  const allowedRegions = strings(raw.allowedRegions, 'allowedRegions', problems);
  const approvedPatterns = strings(raw.approvedPatterns, 'approvedPatterns', problems);
  approvedPatterns.forEach((name, i) => {
    if (!PATTERN_NAME.test(name)) problems.push(`'approvedPatterns[${i}]' must be a KeyPattern name (1 to 63 lowercase letters, digits or '-'). Received: ${JSON.stringify(name)}`);
  });
  const parameters = record(raw.parameters, 'parameters', problems);
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') problems.push(`'parameters.${name}' must be a string (CloudFormation parameter values are strings). Received: ${JSON.stringify(value)}`);
  }
  const suppressions: GuardSuppression[] = [];
  const rawSuppressions = raw.suppressions === undefined ? [] : raw.suppressions;
  if (!Array.isArray(rawSuppressions)) {problems.push("'suppressions' must be a list");} else {
    rawSuppressions.forEach((s, i) => {
      const entry = (s ?? {}) as Record<string, unknown>;
      const rules = typeof entry.rule === 'string' ? [entry.rule] : Array.isArray(entry.rules) ? entry.rules.map(String) : [];
      if (typeof entry.resource !== 'string' || !entry.resource) problems.push(`'suppressions[${i}].resource' must name a resource (logical ID, Stack/LogicalId or construct path)`);
      if (!rules.length) problems.push(`'suppressions[${i}]' must name a 'rule' or 'rules'`);
      rules.filter(r => !isRuleId(r)).forEach(r => problems.push(unknownRule(`suppressions[${i}]`, r)));
      if (typeof entry.reason !== 'string' || !entry.reason.trim()) problems.push(`'suppressions[${i}].reason' is required: say why the rule does not apply`);
      suppressions.push({ resource: String(entry.resource), rules, reason: String(entry.reason ?? '') });
    });
  }
  if (problems.length) throw new GuardInputError(`${label}:\n  ${problems.join('\n  ')}`);
  return {
    severities: severities as GuardConfig['severities'],
    rotationMaxDays,
    deletionWindowMinDays,
    requiredTags,
    allowedRegions,
    approvedPatterns,
    parameters: parameters as Record<string, string>,
    suppressions,
  };
}

// A misspelt rule id would change or silence nothing, without a word: refused like an unknown field.
const isRuleId = (id: string): boolean => GUARD_RULES.some(r => r.id === id);
const unknownRule = (field: string, id: string): string =>
  `'${field}' names an unknown rule ${JSON.stringify(id)} (known: ${GUARD_RULES.map(r => r.id).join(', ')})`;

function record(value: unknown, name: string, problems: string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`'${name}' must be an object`);
  return {};
}

function strings(value: unknown, name: string, problems: string[]): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) return value;
  problems.push(`'${name}' must be a list of strings`);
  return [];
}

function days(value: unknown, name: string, [min, max]: readonly [number, number], fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`'${name}' must be a whole number of days from ${min} to ${max}. Received: ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}
