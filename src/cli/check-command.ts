import { writeFileSync } from 'fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type * as GuardConfig from '../guard/config';
import type * as GuardEngine from '../guard/engine';
import type * as ReportSarif from '../guard/report-sarif';
import type * as ReportText from '../guard/report-text';
import { GuardInputError, readGuardTemplates } from '../guard/template-source';

/** The guard (and the aws-cdk-lib behind it), loaded when `check` runs and not with the program: see main.ts. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const guardConfig = () => require('../guard/config') as typeof GuardConfig;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const guardEngine = () => require('../guard/engine') as typeof GuardEngine;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reportText = () => require('../guard/report-text') as typeof ReportText;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reportSarif = () => require('../guard/report-sarif') as typeof ReportSarif;

/** Exit codes of `guarded-keys check`: findings decide 0 or 1; anything that stops the check is 2. */
export const CHECK_EXIT = { clean: 0, errors: 1, usage: 2 } as const;

function parseRate(value: string): number {
  const rate = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(rate)) throw new InvalidArgumentError(`a whole number of requests. Received: ${value}`);
  return rate;
}

const RENDERERS = {
  table: (r: GuardEngine.GuardReport) => reportText().renderReportTable(r),
  json: (r: GuardEngine.GuardReport) => reportText().renderReportJson(r),
  sarif: (r: GuardEngine.GuardReport) => reportSarif().renderReportSarif(r),
};

/**
 * `guarded-keys check [--format table|json|sarif] [--config guard.json] <template.json | cdk.out>...`: the guard
 * on synthesized templates or cloud assemblies, for a PR check. Exit 0 when no error-level finding remains, 1 when
 * one does, 2 when the input or the configuration cannot be read.
 */
export function registerCheckCommand(program: Command): void {
  program.command('check')
    .description('Check the KMS keys (and IAM policies) of templates or cloud assemblies against the guard rules')
    .argument('<inputs...>', 'template.json files or cdk.out directories')
    .addOption(new Option('--format <format>', 'report format').choices(Object.keys(RENDERERS)).default('table'))
    .option('--config <file>', 'guard.json: severities, limits, required tags, allowed regions, suppressions')
    .option('--requests-per-month <n>', 'requests a month per key, for the cost estimate', parseRate, 0)
    .option('--output <file>', 'write the report to a file instead of stdout (e.g. for SARIF upload)')
    .action((inputs: string[], options: { format: keyof typeof RENDERERS; config?: string; output?: string; requestsPerMonth: number }) => {
      let text: string;
      let failed: boolean;
      try {
        const { DEFAULT_CONFIG, readGuardConfig } = guardConfig();
        const { hasErrors, runGuard } = guardEngine();
        const config = options.config ? readGuardConfig(options.config) : DEFAULT_CONFIG;
        const report = runGuard(inputs.flatMap(readGuardTemplates), config, { requestsPerMonth: options.requestsPerMonth });
        text = RENDERERS[options.format](report);
        failed = hasErrors(report);
        if (options.output) writeFileSync(options.output, `${text}\n`);
      } catch (err) {
        // An unreadable input is the user's to fix (exit 2); anything else is still reported, never a stack trace.
        const message = err instanceof GuardInputError ? err.message : `cannot check: ${(err as Error).message ?? String(err)}`;
        process.stderr.write(`guarded-keys check: ${message}\n`);
        process.exitCode = CHECK_EXIT.usage;
        return;
      }
      if (!options.output) process.stdout.write(`${text}\n`);
      process.exitCode = failed ? CHECK_EXIT.errors : CHECK_EXIT.clean;
    });
}
