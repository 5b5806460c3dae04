import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R4Checks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { baseline, CORRECT_KEYS, DEFECTS, seeded } from './comparison/defects';
import { CdkNagCollector } from './tools/cdk-nag';
import { checkovReports } from './tools/checkov';
import { runCommand, venvTool } from './tools/venv';
import { runGuard } from '../src/guard/engine';

/**
 * `npx projen compare:guards [--write]`: which tool catches which seeded key defect. Each tool runs on the same
 * templates (validators/comparison/defects.ts: a baseline and one variant per defect); a tool catches a defect when
 * it reports a rule on the variant that it does not report on the baseline. `--write` puts the table into
 * docs/guard-comparison.md between its markers.
 *
 * Tools: guarded-keys (`runGuard`, as `guarded-keys check` runs it), cdk-nag (all five of its rule packs, over the
 * template through CfnInclude), checkov (all its CloudFormation checks), cfn-guard with AWS's Control Tower
 * proactive-control rules (both from the npm package @cdklabs/cdk-validator-cfnguard) and cfn-lint.
 * @module
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const OUT = join(__dirname, 'out', 'comparison');
const DOC = join(__dirname, '..', 'docs', 'guard-comparison.md');
const TOOLS = ['guarded-keys', 'cdk-nag', 'checkov', 'cfn-guard (Control Tower rules)', 'cfn-lint'] as const;
type Rules = Map<string, Set<string>>; // file -> rule ids

function guardedKeys(files: string[]): Rules {
  return new Map(files.map(file => {
    const template = JSON.parse(readFileSync(file, 'utf8'));
    const report = runGuard([{ stackName: 'T', file, template, account: ACCOUNT, region: REGION }]);
    return [file, new Set(report.findings.map(f => f.rule))];
  }));
}

function cdkNag(files: string[]): Rules {
  return new Map(files.map(file => {
    const app = new App();
    const stack = new Stack(app, 'T', { env: { account: ACCOUNT, region: REGION } });
    new CfnInclude(stack, 'Template', { templateFile: file });
    const collector = new CdkNagCollector();
    const all = /./;
    collector.attach(app, file, all, logger => new AwsSolutionsChecks({ reports: false, additionalLoggers: [logger] }));
    collector.attach(app, file, all, logger => new HIPAASecurityChecks({ reports: false, additionalLoggers: [logger] }));
    collector.attach(app, file, all, logger => new NIST80053R4Checks({ reports: false, additionalLoggers: [logger] }));
    collector.attach(app, file, all, logger => new NIST80053R5Checks({ reports: false, additionalLoggers: [logger] }));
    collector.attach(app, file, all, logger => new PCIDSS321Checks({ reports: false, additionalLoggers: [logger] }));
    app.synth();
    return [file, new Set(collector.run().findings.map(f => f.rule))];
  }));
}

async function checkov(files: string[]): Promise<Rules> {
  const out: Rules = new Map(files.map(f => [f, new Set<string>()]));
  for (const report of await checkovReports(files)) {
    for (const check of report.results.failed_checks) out.get(resolve(check.file_abs_path ?? check.file_path))?.add(check.check_id);
  }
  return out;
}

/** cfn-guard and its rules ship in @cdklabs/cdk-validator-cfnguard, a binary per platform. */
async function cfnGuard(files: string[]): Promise<Rules> {
  const pkg = join(__dirname, '..', 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');
  const platform = ({ linux: 'ubuntu', darwin: 'macos' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch];
  if (!platform || !arch) throw new Error(`cfn-guard: no binary for ${process.platform}/${process.arch} in ${pkg}`);
  const args = ['validate', '--rules', join(pkg, 'rules', 'control-tower', 'cfn-guard'), '--output-format', 'json', '--show-summary', 'none', '--structured', ...files.flatMap(f => ['--data', f])];
  const result = await runCommand(join(pkg, 'bin', platform, arch, 'cfn-guard'), args);
  const out: Rules = new Map(files.map(f => [f, new Set<string>()]));
  let parsed: Array<{ name: string; not_compliant: unknown[] }>;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new Error(`cfn-guard failed (exit ${result.code}): ${result.stderr.slice(-2000)}`);
  }
  for (const file of parsed) {
    for (const m of JSON.stringify(file.not_compliant).matchAll(/\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/g)) out.get(resolve(file.name))?.add(m[1]);
  }
  return out;
}

async function cfnLint(files: string[]): Promise<Rules> {
  const result = await runCommand(venvTool('cfn-lint'), ['--format', 'json', '--regions', REGION, '--', ...files]);
  if (result.code === 1 || result.code >= 32) throw new Error(`cfn-lint failed (exit ${result.code}): ${result.stderr}`);
  const out: Rules = new Map(files.map(f => [f, new Set<string>()]));
  for (const m of JSON.parse(result.stdout) as Array<{ Rule: { Id: string }; Level: string; Filename: string }>) {
    if (m.Level !== 'Informational') out.get(resolve(m.Filename))?.add(m.Rule.Id);
  }
  return out;
}

async function main(argv: string[]) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const write = (name: string, t: unknown) => {
    const file = resolve(OUT, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(t, null, 2));
    return file;
  };
  const base = write('baseline', baseline());
  const variants = DEFECTS.map(d => ({ defect: d, file: write(d.id, seeded(d)) }));
  const controls = CORRECT_KEYS.map(d => ({ defect: d, file: write(d.id, seeded(d)) }));
  const files = [base, ...variants.map(v => v.file), ...controls.map(c => c.file)];

  const results: Record<(typeof TOOLS)[number], Rules> = {
    'guarded-keys': guardedKeys(files),
    'cdk-nag': cdkNag(files),
    'checkov': await checkov(files),
    'cfn-guard (Control Tower rules)': await cfnGuard(files),
    'cfn-lint': await cfnLint(files),
  };
  const caught = (tool: (typeof TOOLS)[number], file: string) => {
    const before = results[tool].get(base)!;
    return [...results[tool].get(file)!].filter(r => !before.has(r)).sort();
  };

  const rows = variants.map(({ defect, file }) => {
    const cells = TOOLS.map(tool => caught(tool, file).map(r => `\`${r}\``).join(' ') || '—');
    return `| ${defect.description} (${defect.rule}) | ${cells.join(' | ')} |`;
  });
  const totals = TOOLS.map(tool => `${variants.filter(v => caught(tool, v.file).length > 0).length} of ${variants.length}`);
  const baselineRow = TOOLS.map(tool => [...results[tool].get(base)!].sort().map(r => `\`${r}\``).join(' ') || '—');
  const falsePositives = controls.map(({ defect, file }) => `| ${defect.description} | ${TOOLS.map(tool => caught(tool, file).map(r => `\`${r}\``).join(' ') || '—').join(' | ')} |`);
  const table = [
    `| seeded defect (the guard's rule) | ${TOOLS.join(' | ')} |`,
    `| --- | ${TOOLS.map(() => '---').join(' | ')} |`,
    ...rows,
    `| **defects caught** | ${totals.join(' | ')} |`,
    '',
    'Keys that are right; a rule here is a false positive:',
    '',
    `| correct key | ${TOOLS.join(' | ')} |`,
    `| --- | ${TOOLS.map(() => '---').join(' | ')} |`,
    ...falsePositives,
    '',
    `On the baseline (no defect) each tool reports: ${TOOLS.map((t, i) => `${t}: ${baselineRow[i]}`).join('; ')}.`,
  ].join('\n');
  console.log(table);

  if (argv.includes('--write')) {
    const doc = readFileSync(DOC, 'utf8');
    const start = '<!-- comparison:start -->';
    const end = '<!-- comparison:end -->';
    if (!doc.includes(start) || !doc.includes(end)) throw new Error(`${DOC} has no ${start} ... ${end} markers`);
    writeFileSync(DOC, `${doc.slice(0, doc.indexOf(start) + start.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`);
    console.log(`written to ${DOC}`);
  }
}

main(process.argv.slice(2)).catch(err => {
  console.error(err);
  process.exit(2);
});
