import { ExampleApp } from './apps';
import { judge, ValidatorException, Verdict } from './exceptions-file';
import { Tool, ToolRun } from './finding';
import { SynthesizedApp, synthesizeAll } from './synth';
import { CdkNagCollector } from './tools/cdk-nag';
import { runCfnLint } from './tools/cfn-lint';
import { runCheckov } from './tools/checkov';

/**
 * The validators' one pipeline: synthesize the apps with cdk-nag attached, run cfn-lint and checkov on the
 * templates, judge everything against the exceptions.
 * @module
 */

/** What a validation produced. */
export interface Validation {
  readonly apps: readonly SynthesizedApp[];
  readonly runs: readonly ToolRun[];
  readonly verdict: Verdict;
}

/** Validates the apps with the given tools (all three by default). */
export async function validate(apps: readonly ExampleApp[], exceptions: readonly ValidatorException[], tools: readonly Tool[] = ['cfn-lint', 'checkov', 'cdk-nag']): Promise<Validation> {
  const cdkNag = new CdkNagCollector();
  const synthesized = await synthesizeAll(apps, cdkNag);
  const runs: ToolRun[] = [];
  if (tools.includes('cfn-lint')) runs.push(await runCfnLint(synthesized));
  if (tools.includes('checkov')) runs.push(await runCheckov(synthesized));
  if (tools.includes('cdk-nag')) runs.push(cdkNag.run());
  return { apps: synthesized, runs, verdict: judge(runs, exceptions) };
}
