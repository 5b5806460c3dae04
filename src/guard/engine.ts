import { GUARD_RULES } from './catalogue';
import { GuardConfig, DEFAULT_CONFIG } from './config';
import { KeyCost, keyCosts } from './cost';
import { GuardStack, guardStack } from './model';
import { GuardRule, RuleHit, Severity } from './rule';
import { GuardTemplate } from './template-source';
import { globMatch } from '../private/glob';

/**
 * The guard's one engine: every rule of the catalogue over every stack, then the configured severities and
 * suppressions. The aspect, the validation plugin and `guarded-keys check` all call {@link runGuard}.
 * @module
 */

/** One finding of a report. */
export interface GuardFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly stack: string;
  readonly file: string;
  readonly logicalId: string;
  readonly path: string;
  readonly pointer: string;
  readonly message: string;
}

/** A finding a suppression silenced, with its reason. */
export interface SuppressedFinding extends GuardFinding {
  readonly reason: string;
}

/** The guard's verdict on a set of templates. */
export interface GuardReport {
  readonly stacks: string[];
  /** How many keys were reviewed. */
  readonly keys: number;
  readonly findings: GuardFinding[];
  readonly suppressed: SuppressedFinding[];
  /** Each key's monthly cost, at the request rate given (0 when none was). */
  readonly costs: KeyCost[];
}

/** Options of a run beyond the configuration. */
export interface GuardRunOptions {
  /** Requests a month per key, for the cost estimate. */
  readonly requestsPerMonth?: number;
}

/** Runs every rule over the templates. */
export function runGuard(templates: readonly GuardTemplate[], config: GuardConfig = DEFAULT_CONFIG, options: GuardRunOptions = {}): GuardReport {
  const findings: GuardFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const costs: KeyCost[] = [];
  let keys = 0;
  for (const template of templates) {
    const stack = guardStack(template, config.parameters);
    keys += stack.keys.length;
    costs.push(...keyCosts(stack, options.requestsPerMonth));
    for (const rule of GUARD_RULES) {
      for (const hit of checkSafely(rule, stack, config)) {
        const ruleId = hit.undecided ? 'GK0' : rule.id;
        const message = hit.undecided ? `[${rule.id} undecided] ${hit.message}` : hit.message;
        const severity = config.severities[ruleId] ?? hit.severity ?? (hit.undecided ? 'warning' : rule.defaultSeverity);
        if (severity === 'off') continue;
        const finding: GuardFinding = {
          rule: ruleId,
          severity,
          stack: template.stackName,
          file: template.file,
          logicalId: hit.logicalId,
          path: hit.path,
          pointer: hit.pointer,
          message,
        };
        const reason = suppressionReason(template, config, hit, [ruleId, rule.id]);
        if (reason !== undefined) suppressed.push({ ...finding, reason });
        else findings.push(finding);
      }
    }
  }
  return { stacks: templates.map(t => t.stackName), keys, findings, suppressed, costs };
}

/**
 * A rule's hits; a rule that fails on a template it did not expect reports that as undecided (GK0) on the stack
 * instead of stopping the whole check, so one odd resource never hides the findings on the others.
 */
function checkSafely(rule: GuardRule, stack: GuardStack, config: GuardConfig): RuleHit[] {
  try {
    return rule.check(stack, config);
  } catch (err) {
    const message = `the rule could not read this template: ${err instanceof Error ? err.message : String(err)}`;
    return [{ logicalId: stack.source.stackName, path: stack.source.stackName, pointer: '/Resources', message, undecided: true }];
  }
}

/** True when any finding is an error (`guarded-keys check` exits 1). */
export const hasErrors = (report: GuardReport): boolean => report.findings.some(f => f.severity === 'error');

/** The reason of the first suppression (guard.json or `KeyGuard.suppress` in the assembly) that covers a hit. */
function suppressionReason(template: GuardTemplate, config: GuardConfig, hit: RuleHit, rules: string[]): string | undefined {
  const names = [hit.logicalId, `${template.stackName}/${hit.logicalId}`, hit.path, hit.path.replace(/\/Resource$/, '')];
  for (const s of config.suppressions) {
    if (s.rules.some(r => rules.includes(r)) && names.some(n => globMatch(s.resource, n))) return s.reason;
  }
  for (const s of template.suppressions ?? []) {
    // `KeyGuard.suppress` covers the construct it is called on and everything below it.
    if (s.rules.some(r => rules.includes(r)) && (hit.path === s.path || hit.path.startsWith(`${s.path}/`))) return s.reason;
  }
  return undefined;
}
