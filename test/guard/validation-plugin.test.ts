import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardedKey, GuardedKeysValidationPlugin } from '../../src';

/** What `cdk synth` reports with `@aws-cdk/core:validationReportJson`: the plugin's verdict and violations. */
interface JsonReport {
  title: string;
  pluginReports: Array<{
    summary: { status: string; metadata?: Record<string, string> };
    violations: Array<{ ruleName: string; severity: string; violatingResources?: unknown }>;
  }>;
}

describe('GuardedKeysValidationPlugin, run by `cdk synth`', () => {
  let dir: string;
  let exitCode: typeof process.exitCode;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'guard-plugin-'));
    exitCode = process.exitCode;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    // `cdk synth` reports a failed validation through process.exitCode: restore it for jest.
    process.exitCode = exitCode;
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  function synth(plugin: GuardedKeysValidationPlugin, build: (stack: Stack) => void): { report: JsonReport; failed: boolean } {
    const outdir = join(dir, 'cdk.out');
    // Newer aws-cdk-lib registers plugins with Validations.of(app).addPlugins() and deprecates the App prop (the
    // construct tests also run there with JSII_DEPRECATED=fail); the floor of the peer range has only the prop.
    const validations = (cdk as { Validations?: { of(app: App): { addPlugins(...p: unknown[]): void } } }).Validations;
    const context = { '@aws-cdk/core:validationReportJson': true };
    const app = validations ? new App({ outdir, context }) : new App({ outdir, policyValidationBeta1: [plugin], context });
    validations?.of(app).addPlugins(plugin);
    build(new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } }));
    process.exitCode = 0;
    // The floor of the peer range reports a failed validation through process.exitCode; newer releases throw.
    let threw = false;
    try {
      app.synth();
    } catch {
      threw = true;
    }
    const failed = threw || process.exitCode === 1;
    return { report: JSON.parse(readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8')), failed };
  }

  test('a guarded key passes', () => {
    const { report, failed } = synth(new GuardedKeysValidationPlugin(), stack => new GuardedKey(stack, 'Key'));
    expect(failed).toBe(false);
    // CDK leaves a plugin without violations out of the report
    expect(report.pluginReports).toEqual([]);
  });

  test('an error-level finding fails the synthesis, naming the rule', () => {
    const { report, failed } = synth(new GuardedKeysValidationPlugin(), stack => new kms.Key(stack, 'Plain', { enableKeyRotation: false }));
    expect(failed).toBe(true);
    expect(report.pluginReports[0].summary.status).toBe('failure');
    expect(report.pluginReports[0].violations.map(v => [v.ruleName, v.severity])).toEqual([['GK1', 'error']]);
  });

  test('a guard.json suppression applies, and its reason is in the report', () => {
    const config = join(dir, 'guard.json');
    writeFileSync(config, JSON.stringify({ suppressions: [{ resource: 'Plain*', rule: 'GK1', reason: 'legacy key, rotated by hand' }] }));
    const plugin = new GuardedKeysValidationPlugin({ configFile: config });
    const { report, failed } = synth(plugin, stack => new kms.Key(stack, 'Plain', { enableKeyRotation: false }));
    expect(failed).toBe(false);
    expect(report.pluginReports).toEqual([]);
    // the plugin's own report (CDK prints its metadata only with violations) lists the suppression
    const direct = plugin.validate({ templatePaths: [join(dir, 'cdk.out', 'Stack.template.json')] });
    expect(direct.metadata).toEqual({ 'suppressed-1': expect.stringMatching(/^GK1 on Stack\/Plain.*: legacy key, rotated by hand$/) });
  });

  test('a guard.json without a reason is refused when the plugin is created', () => {
    const config = join(dir, 'guard.json');
    writeFileSync(config, JSON.stringify({ suppressions: [{ resource: 'Plain', rule: 'GK1' }] }));
    expect(() => new GuardedKeysValidationPlugin({ configFile: config })).toThrow("'suppressions[0].reason' is required");
  });
});

describe('GuardedKeysValidationPlugin, reading the assembly', () => {
  test('reads each template of an assembly once, however many stacks it has (it read the assembly per template)', () => {
    // GIVEN an assembly of four stacks, each with a plain key (GK findings), and file reads watched
    const outdir = mkdtempSync(join(tmpdir(), 'guard-plugin-reads-'));
    try {
      const app = new App({ outdir });
      const stacks = ['A', 'B', 'C', 'D'].map(name => new Stack(app, name, { env: { account: '111122223333', region: 'eu-west-1' } }));
      stacks.forEach(stack => new kms.Key(stack, 'Key'));
      const assembly = app.synth();
      const templatePaths = stacks.map(stack => join(assembly.directory, stack.templateFile));
      const fs = jest.requireActual<typeof import('fs')>('fs');
      const read = jest.spyOn(fs, 'readFileSync');
      // WHEN the plugin validates them
      const report = new GuardedKeysValidationPlugin().validate({ templatePaths });
      // THEN each template was read once, and every stack's key has its findings, with its own template
      const templateReads = read.mock.calls.filter(([file]) => String(file).endsWith('.template.json'));
      expect(templateReads).toHaveLength(4);
      const files = new Set(report.violations.flatMap(v => v.violatingResources.map(r => r.templatePath)));
      expect([...files].sort()).toEqual([...templatePaths].sort());
    } finally {
      jest.restoreAllMocks();
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
