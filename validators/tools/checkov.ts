import { resolve } from 'path';
import { GuardTemplate } from '../../src/guard/template-source';
import { Finding, ToolRun } from '../finding';
import { resourcePath, SynthesizedApp } from '../synth';
import { runCommand, venvTool } from './venv';

/**
 * checkov on every template; failed checks on KMS and IAM resources are findings. checkov is kept off the network
 * (`--skip-download`, `BC_SKIP_MAPPING`): by default it fetches guideline links from its vendor's API, which CI
 * cannot reach and which would make the run depend on a third party.
 * @module
 */

/** The resources whose checks count: the keys and the identities and policies that reach them. */
export const CHECKOV_RESOURCE_TYPES = /^AWS::(KMS|IAM)::/;

interface CheckovCheck {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_abs_path?: string;
  readonly file_path: string;
}
interface CheckovReport {
  readonly results: { readonly passed_checks: CheckovCheck[]; readonly failed_checks: CheckovCheck[]; readonly skipped_checks?: CheckovCheck[] };
}

/** The environment checkov runs in: no downloads. */
export const CHECKOV_ENV = { ...process.env, BC_SKIP_MAPPING: 'TRUE' };

/** Runs checkov on template files, returning its parsed reports (one per framework it ran). */
export async function checkovReports(files: readonly string[]): Promise<CheckovReport[]> {
  const args = ['--framework', 'cloudformation', '--output', 'json', '--compact', '--skip-download', '--soft-fail', ...files.flatMap(f => ['--file', f])];
  const result = await runCommand(venvTool('checkov'), args, CHECKOV_ENV);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new Error(`checkov failed (exit ${result.code}): ${result.stderr.slice(-2000) || result.stdout.slice(0, 2000)}`);
  }
  // One framework gives one report object, several give a list; no template at all gives a summary without results.
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((r): r is CheckovReport => typeof r === 'object' && r !== null && 'results' in r);
}

/** Runs checkov on the apps' templates. */
export async function runCheckov(apps: readonly SynthesizedApp[], keep: RegExp = CHECKOV_RESOURCE_TYPES): Promise<ToolRun> {
  const byFile = new Map<string, { app: string; template: GuardTemplate }>();
  for (const app of apps) for (const template of app.templates) byFile.set(resolve(template.file), { app: app.name, template });
  const reports = await checkovReports([...byFile.keys()]);
  const knownRules = new Set<string>();
  const findings: Finding[] = [];
  for (const report of reports) {
    const { passed_checks: passed, failed_checks: failed, skipped_checks: skipped = [] } = report.results;
    for (const check of [...passed, ...failed, ...skipped]) knownRules.add(check.check_id);
    for (const check of failed) {
      const [type, logicalId] = splitResource(check.resource);
      if (!keep.test(type)) continue;
      const source = byFile.get(resolve(check.file_abs_path ?? check.file_path));
      if (!source) throw new Error(`checkov reported on a file it was not given: ${check.file_abs_path ?? check.file_path}`);
      findings.push({ tool: 'checkov', rule: check.check_id, resource: resourcePath(source.template, logicalId), message: check.check_name, app: source.app });
    }
  }
  return { tool: 'checkov', findings, knownRules };
}

/** `AWS::KMS::Key.MyKey1234` -> [`AWS::KMS::Key`, `MyKey1234`]. */
export function splitResource(resource: string): [string, string] {
  const dot = resource.lastIndexOf('.');
  return [resource.slice(0, dot), resource.slice(dot + 1)];
}
