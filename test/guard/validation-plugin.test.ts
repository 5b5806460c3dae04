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
