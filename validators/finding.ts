/**
 * What every external validator reports, in one shape, so one exceptions file can excuse findings of any tool.
 * @module
 */

/** The validators run on the example apps. */
export const TOOLS = ['cfn-lint', 'checkov', 'cdk-nag'] as const;
/** One of {@link TOOLS}. */
export type Tool = (typeof TOOLS)[number];

/** A rule id as each tool spells it; an exception whose rule is not spelled so is refused before any run. */
export const RULE_ID_SHAPES: Record<Tool, RegExp> = {
  'cfn-lint': /^[EWI]\d{4}$/,
  'checkov': /^CKV2?_AWS_\d+$/,
  'cdk-nag': /^[A-Za-z0-9.]+-[A-Za-z0-9]+$/,
};

/** One finding of one tool on one resource of one example app. */
export interface Finding {
  readonly tool: Tool;
  /** The tool's rule id: `E3004`, `CKV_AWS_7`, `AwsSolutions-IAM5`. */
  readonly rule: string;
  /**
   * The resource, by construct path (`DataPlatform/AppRole/DefaultPolicy/Resource`): stable across builds where a
   * logical ID carries a hash. A resource without path metadata is `Stack/LogicalId`.
   */
  readonly resource: string;
  /** What exactly, when a rule reports several things on one resource (cdk-nag's finding id: `Action::kms:Decrypt`). */
  readonly detail?: string;
  /** The tool's message, for the report. */
  readonly message: string;
  /** The example app it was found in. */
  readonly app: string;
}

/** What one tool found, and the rule ids it knows (so an exception naming an unknown rule is refused). */
export interface ToolRun {
  readonly tool: Tool;
  readonly findings: readonly Finding[];
  readonly knownRules: ReadonlySet<string>;
}

/** One line per finding, for reports. */
export function describeFinding(f: Finding): string {
  return `${f.tool} ${f.rule} ${f.resource}${f.detail ? ` [${f.detail}]` : ''} (${f.app}): ${f.message}`;
}
