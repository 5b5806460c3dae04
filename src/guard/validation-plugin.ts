import { existsSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';
import { ruleById } from './catalogue';
import { DEFAULT_CONFIG, GuardConfig, guardConfig, readGuardConfig } from './config';
import { hasErrors, runGuard } from './engine';
import { GuardTemplate, readGuardTemplates } from './template-source';

/**
 * Options for the {@link GuardedKeysValidationPlugin}.
 *
 * @example
 * // guard.json: severities, the rotation maximum, required tags, suppressions with their reasons (docs/guard-rules.md)
 * new App({ policyValidationBeta1: [new GuardedKeysValidationPlugin({ configFile: 'guard.json' })] });
 */
export interface GuardedKeysValidationPluginProps {
  /**
   * A `guard.json` file: rule severities, rotation maximum, deletion-window minimum, required tags, allowed regions
   * and suppressions (each with a reason), as `guarded-keys check --config` reads it.
   *
   * @default - Every rule at its own severity, rotation at most every 365 days, a 30-day deletion window.
   */
  readonly configFile?: string;

  /**
   * Names of the `KeyPattern`s keys must be made from (GK17), in place of the configuration file's
   * `approvedPatterns`: a key made without one of them, a plain `kms.Key` or a `CfnKey` written by hand is a finding.
   *
   * @default - The configuration file's `approvedPatterns`, or any key passes.
   */
  readonly approvedPatterns?: string[];
}

/**
 * The guard as a CDK policy-validation plugin: `cdk synth` runs it on every synthesized template and prints its
 * findings in the validation report; an error-level finding fails the synthesis. It is the same engine as the
 * `KeyGuard` aspect and the `guarded-keys check` command.
 *
 * @example
 * new App({ policyValidationBeta1: [new GuardedKeysValidationPlugin({ configFile: 'guard.json' })] });
 * // or, on aws-cdk-lib versions that have it: Validations.of(app).addPlugins(new GuardedKeysValidationPlugin())
 */
export class GuardedKeysValidationPlugin implements IPolicyValidationPluginBeta1 {
  public readonly name = 'guarded-keys';
  private readonly config: GuardConfig;

  constructor(props: GuardedKeysValidationPluginProps = {}) {
    const config = props.configFile ? readGuardConfig(props.configFile) : DEFAULT_CONFIG;
    // Checked as guard.json's field is, so a bad name fails where the plugin is created.
    this.config = props.approvedPatterns === undefined ? config
      : guardConfig({ ...config, approvedPatterns: props.approvedPatterns }, 'GuardedKeysValidationPlugin');
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = runGuard(templatesOf(context.templatePaths), this.config);
    const violations: PolicyViolationBeta1[] = report.findings.map(finding => {
      const rule = ruleById(finding.rule);
      return {
        ruleName: finding.rule,
        description: finding.message,
        severity: finding.severity,
        fix: rule ? `${rule.title}. ${rule.why} See ${rule.source}` : undefined,
        violatingResources: [{
          resourceLogicalId: finding.logicalId,
          templatePath: finding.file,
          locations: [finding.pointer.replace(/^\/Resources\/[^/]+\/?/, '') || '.'],
        }],
      };
    });
    const metadata: Record<string, string> = {};
    report.suppressed.forEach((s, i) => { metadata[`suppressed-${i + 1}`] = `${s.rule} on ${s.stack}/${s.logicalId}: ${s.reason}`; });
    return { success: !hasErrors(report), violations, metadata };
  }
}

/**
 * The templates, each with its stack's environment when the cloud assembly beside it says so. Each assembly is read
 * once for all its templates: reading it per template read every template of an app of n stacks n times.
 */
function templatesOf(paths: readonly string[]): GuardTemplate[] {
  const assemblies = new Map<string, GuardTemplate[] | undefined>();
  return paths.map(path => {
    const dir = dirname(path);
    if (!assemblies.has(dir)) assemblies.set(dir, assemblyBeside(dir));
    return assemblies.get(dir)?.find(t => resolve(t.file) === resolve(path)) ?? readGuardTemplates(path)[0];
  });
}

/** The templates of the cloud assembly in `dir`, or undefined when there is none (yet). */
function assemblyBeside(dir: string): GuardTemplate[] | undefined {
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  try {
    return readGuardTemplates(dir);
  } catch {
    // The assembly is still being written while plugins run: read the templates alone.
    return undefined;
  }
}
