import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { App } from 'aws-cdk-lib';
import { Command } from 'commander';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { registerCheckCommand } from '../../src/cli/check-command';

const ROOT = join(__dirname, '..', '..');
// Absolute, because the CLI runs in a temporary directory (file arguments are relative to it, as in CI).
const CLI = ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', 'main.ts')];
const ROOT_STATEMENT = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };

interface Run { code: number; stdout: string; stderr: string }

describe('guarded-keys check', () => {
  let dir: string;
  const env = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };
  const spawn = (...args: string[]): Promise<Run> => promisify(execFile)(process.execPath, [...CLI, 'check', ...args], { env, cwd: dir })
    .then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  // The processes start together in beforeAll (each costs seconds of start-up); the tests await their own.
  const started = new Map<string, Promise<Run>>();
  const run = (...args: string[]): Promise<Run> => started.get(JSON.stringify(args)) ?? spawn(...args);
  const PROCESS_RUNS = [
    ['good.template.json', 'cdk.out'], ['bad.template.json'], ['--config', 'guard.json', 'bad.template.json'],
    ['--format', 'sarif', '--config', 'guard.json', '--output', 'report.sarif', 'bad.template.json'],
    ['missing.json', 'good.template.json'], ['--format', 'xml', 'good.template.json'],
  ];

  /** The same command in this process (spawning costs seconds on a shared machine): for the cases that need no exit(). */
  const runHere = async (...args: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => { out.push(String(chunk)); return true; });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(chunk => { err.push(String(chunk)); return true; });
    const previous = process.exitCode;
    try {
      const program = new Command().exitOverride();
      registerCheckCommand(program);
      await program.parseAsync(['check', ...args.map(a => (a.endsWith('.json') || a === 'cdk.out' ? join(dir, a) : a))], { from: 'user' });
      return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.exitCode = previous;
      stdout.mockRestore();
      stderr.mockRestore();
    }
  };
  const file = (name: string, content: unknown) => {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, undefined, 2));
    return join(dir, name);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-check-'));
    file('good.template.json', { Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } } } });
    file('bad.template.json', {
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            EnableKeyRotation: true,
            KeyPolicy: { Statement: [ROOT_STATEMENT, { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] },
          },
        },
        Legacy: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: {} },
      },
    });
    file('warn.template.json', { Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: { 'Fn::ImportValue': 'Rotation' } } } } });
    file('guard.json', { suppressions: [{ resource: 'bad/Legacy', rule: 'GK1', reason: 'imported material, rotated by hand' }] });
    file('no-reason.json', { suppressions: [{ resource: 'Legacy', rule: 'GK1' }] });
    file('not-json.json', '{ "Resources": ');
    file('not-template.json', { hello: 'world' });
    buildDataPlatformApp(new App({ outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true } })).synth();
    for (const args of PROCESS_RUNS) started.set(JSON.stringify(args), spawn(...args));
  });
  afterAll(async () => {
    await Promise.all(started.values());
    rmSync(dir, { recursive: true, force: true });
  });

  test('exit 0 and a table when no error-level finding remains (a key without KeyPolicy, a cloud assembly of guarded keys)', async () => {
    const result = await run('good.template.json', 'cdk.out');
    expect(result).toEqual({ code: 0, stdout: expect.stringContaining('0 error(s), 0 warning(s), 0 info, 0 suppressed'), stderr: '' });
    expect(result.stdout).toContain('2 stack(s), 3 key(s)');
  });

  test('exit 0 with warnings only; exit 1 with errors, each listed with rule and resource', async () => {
    expect((await runHere('warn.template.json')).code).toBe(0);
    const result = await run('bad.template.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ERROR\s+GK4\s+bad\/Key\s+statement 'Open' of the key policy allows Principal "\*" without a condition that narrows the caller/);
    expect(result.stdout).toMatch(/ERROR\s+GK1\s+bad\/Legacy\s+automatic rotation is off/);
  });

  test('suppressions from --config are listed with their reasons in every format', async () => {
    const table = await run('--config', 'guard.json', 'bad.template.json');
    expect(table.code).toBe(1); // GK4 remains
    expect(table.stdout).toContain('Suppressed (1):\n  GK1  bad/Legacy  automatic rotation is off: set EnableKeyRotation: true\n      reason: imported material, rotated by hand');
    const json = JSON.parse((await runHere('--format', 'json', '--config', 'guard.json', 'bad.template.json')).stdout);
    expect(json.summary).toEqual({ errors: 1, warnings: 0, info: 0, suppressed: 1 });
    expect(json.suppressed[0]).toMatchObject({ rule: 'GK1', logicalId: 'Legacy', reason: 'imported material, rotated by hand' });
  });

  test('SARIF 2.1.0 for code scanning: rules, results with a file and line, suppressions', async () => {
    const result = await run('--format', 'sarif', '--config', 'guard.json', '--output', 'report.sarif', 'bad.template.json');
    expect(result).toEqual({ code: 1, stdout: '', stderr: '' });
    const sarif = JSON.parse(readFileSync(join(dir, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0];
    const ruleIds = run0.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toContain('GK4');
    const [gk4, gk1] = run0.results;
    expect(gk4).toMatchObject({
      ruleId: 'GK4',
      level: 'error',
      message: { text: expect.stringContaining("statement 'Open'") },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'bad.template.json' }, region: { startLine: expect.any(Number) } } }],
    });
    expect(run0.tool.driver.rules[gk4.ruleIndex].id).toBe('GK4');
    // the line is the Open statement's Statement list in the template, not line 1
    const lines = readFileSync(join(dir, 'bad.template.json'), 'utf8').split('\n');
    expect(lines[gk4.locations[0].physicalLocation.region.startLine - 1]).toContain('"Statement"');
    expect(gk1).toMatchObject({ ruleId: 'GK1', suppressions: [{ kind: 'external', justification: 'imported material, rotated by hand' }] });
    expect(typeof gk4.partialFingerprints['guardedKeysFinding/v1']).toBe('string');
  });

  test.each([
    [['missing.json', 'good.template.json'], 'missing.json: no such file or directory'],
    [['--format', 'xml', 'good.template.json'], "argument 'xml' is invalid"],
  ])('exit 2 on usage or input errors, with a message and no stack trace: %j', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    [['not-json.json'], 'not-json.json: not JSON'],
    [['not-template.json'], 'not-template.json: not a CloudFormation template (no Resources)'],
    [['--config', 'no-reason.json', 'good.template.json'], "'suppressions[0].reason' is required"],
    [['--config', 'missing.json', 'good.template.json'], 'missing.json: cannot be read as JSON'],
    [['good.template.json', 'cdk.out/manifest.json'], 'manifest.json: not a CloudFormation template'],
  ])('exit 2 on input errors, in process: %j', async (args, message) => {
    const result = await runHere(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
