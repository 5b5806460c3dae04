import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, INagLogger, NagPack } from 'cdk-nag';
import { Finding, ToolRun } from '../finding';

/**
 * cdk-nag, which judges constructs (not templates): its packs are aspects on the app before synth. A logger records
 * every rule the pack ran (for the exceptions file's rule-id check) and every finding, by construct path.
 * @module
 */

/** The AwsSolutions rules the example apps must pass: its KMS and IAM rules (the rest judge buckets, functions...). */
export const CDK_NAG_RULES = /^AwsSolutions-(KMS|IAM)\d+$/;

/** Collects cdk-nag's findings from apps it is attached to. */
export class CdkNagCollector {
  private readonly findings: Finding[] = [];
  private readonly knownRules = new Set<string>();

  /**
   * Adds a pack to an app, before its synth.
   * @param keep which rule ids count as findings (all that the pack ran count as known)
   */
  attach(app: App, appName: string, keep: RegExp = CDK_NAG_RULES, pack?: (logger: INagLogger) => NagPack): void {
    const known = (data: { ruleId: string }) => { this.knownRules.add(data.ruleId); };
    const logger: INagLogger = {
      onCompliance: known,
      onNotApplicable: known,
      onSuppressed: known,
      onSuppressedError: known,
      onNonCompliance: data => {
        known(data);
        if (!keep.test(data.ruleId)) return;
        this.findings.push({
          tool: 'cdk-nag',
          rule: data.ruleId,
          resource: data.resource.node.path,
          detail: data.findingId || undefined,
          message: data.ruleInfo,
          app: appName,
        });
      },
      onError: data => {
        known(data);
        // A rule that could not decide is a finding of its own: nothing is passed silently.
        this.findings.push({ tool: 'cdk-nag', rule: data.ruleId, resource: data.resource.node.path, detail: 'rule error', message: data.errorMessage, app: appName });
      },
    };
    Aspects.of(app).add(pack ? pack(logger) : new AwsSolutionsChecks({ reports: false, additionalLoggers: [logger] }));
  }

  /** Everything collected so far. */
  run(): ToolRun {
    return { tool: 'cdk-nag', findings: [...this.findings], knownRules: new Set(this.knownRules) };
  }
}
