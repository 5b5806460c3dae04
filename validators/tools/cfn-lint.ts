import { GuardTemplate } from '../../src/guard/template-source';
import { Finding, ToolRun } from '../finding';
import { resourcePath, SynthesizedApp } from '../synth';
import { runCommand, venvTool } from './venv';

/**
 * cfn-lint on every template, each against its stack's region (resource types and runtimes differ by region).
 * Errors and warnings are findings; informational messages are not.
 * @module
 */

/** cfn-lint's JSON output, the fields read here. */
interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: ReadonlyArray<string | number> };
}

/** Runs cfn-lint on the apps' templates. */
export async function runCfnLint(apps: readonly SynthesizedApp[]): Promise<ToolRun> {
  const cfnLint = venvTool('cfn-lint');
  const byFile = new Map<string, { app: string; template: GuardTemplate }>();
  const byRegion = new Map<string, string[]>();
  for (const app of apps) {
    for (const template of app.templates) {
      byFile.set(template.file, { app: app.name, template });
      const region = template.region ?? 'us-east-1';
      byRegion.set(region, [...(byRegion.get(region) ?? []), template.file]);
    }
  }
  const findings: Finding[] = [];
  for (const [region, files] of byRegion) {
    const result = await runCommand(cfnLint, ['--format', 'json', '--regions', region, '--', ...files]);
    // Exit codes are a bit mask (2 error, 4 warning, 8 informational); 1 is cfn-lint failing itself.
    if (result.code === 1 || result.code >= 32) throw new Error(`cfn-lint failed (exit ${result.code}): ${result.stderr || result.stdout}`);
    for (const match of JSON.parse(result.stdout) as CfnLintMatch[]) {
      if (match.Level === 'Informational') continue;
      const source = byFile.get(match.Filename);
      if (!source) throw new Error(`cfn-lint reported on a file it was not given: ${match.Filename}`);
      findings.push(cfnLintFinding(match, source.template, source.app));
    }
  }
  const listed = await runCommand(cfnLint, ['--list-rules']);
  const knownRules = new Set(Array.from(listed.stdout.matchAll(/^([EWI]\d{4}):/gm), m => m[1]));
  return { tool: 'cfn-lint', findings, knownRules };
}

/** A cfn-lint match as a finding: the resource by construct path, the rest of the location as the detail. */
export function cfnLintFinding(match: CfnLintMatch, template: GuardTemplate, app: string): Finding {
  const path = (match.Location.Path ?? []).map(String);
  const onResource = path[0] === 'Resources' && path.length > 1;
  return {
    tool: 'cfn-lint',
    rule: match.Rule.Id,
    resource: onResource ? resourcePath(template, path[1]) : `${template.stackName}/${path.slice(0, 2).join('/')}`,
    detail: path.slice(2).join('/') || undefined,
    message: match.Message,
    app,
  };
}
