import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Command } from 'commander';
import { registerCheckCommand } from '../../src/cli/check-command';
import { registerMatrixCommand } from '../../src/cli/matrix-command';

/**
 * `matrix --measure`, `matrix --diff` and the cost report on an app written with plain aws-cdk-lib only (kms.Key,
 * its `admins`, `grant*` methods and a bucket encrypted with the key): nothing of this library in the template.
 */
describe('matrix and cost on a plain aws-cdk-lib app', () => {
  let dir: string;
  /** v1: an admin role, an app role with encrypt/decrypt, a bucket reader; v2 adds a decrypt-only auditor. */
  function buildPlainApp(outdir: string, withAuditor: boolean): string {
    const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Plain', { env: { account: '111122223333', region: 'eu-west-1' } });
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, admins: [ops] });
    key.grantEncryptDecrypt(appRole);
    new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key }).grantRead(reader);
    if (withAuditor) key.grantDecrypt(new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() }));
    const assembly = app.synth();
    return assembly.getStackByName('Plain').templateFullPath;
  }

  async function run(register: (program: Command) => void, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => { out.push(String(chunk)); return true; });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(chunk => { err.push(String(chunk)); return true; });
    const previous = process.exitCode;
    process.exitCode = undefined;
    try {
      const program = new Command().exitOverride();
      register(program);
      await program.parseAsync(args, { from: 'user' });
      return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.exitCode = previous;
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  let v1: string;
  let v2: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-plain-'));
    v1 = buildPlainApp(join(dir, 'v1'), false);
    v2 = buildPlainApp(join(dir, 'v2'), true);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the matrix reads aws-cdk-lib\'s key policy and the IAM policies its grants write', async () => {
    const { code, stdout } = await run(registerMatrixCommand, 'matrix', '--format', 'json', join(dir, 'v1'));
    expect(code).toBe(0);
    const [matrix] = JSON.parse(stdout);
    const capabilities = (principal: string) => matrix.rows.filter((r: { principal: string }) => r.principal === principal)
      .flatMap((r: { capabilities: string[] }) => r.capabilities).sort();
    expect(capabilities('AppRole')).toEqual(['decrypt', 'encrypt']);
    expect(capabilities('Reader')).toEqual(['decrypt', 'describe']);
    // aws-cdk-lib writes the admins' actions (kms:Create* covers kms:CreateGrant) to the admin role's IAM policy
    expect(capabilities('Ops')).toEqual(expect.arrayContaining(['administer', 'grant']));
  });

  test('--measure deploys the app into the emulator and every cell agrees', async () => {
    const { code, stdout, stderr } = await run(registerMatrixCommand, 'matrix', '--measure', join(dir, 'v1'));
    expect(stderr).not.toContain('guarded-keys');
    expect(stdout).toContain('measured by real requests (agrees with the policy model)');
    expect(stdout).not.toContain('!!');
    expect(code).toBe(0);
  });

  test.each([
    ['two templates', () => [v1, v2]],
    ['two cloud assemblies', () => [join(dir, 'v1'), join(dir, 'v2')]],
  ])('--diff of %s prints only the auditor\'s new decrypt', async (_, inputs) => {
    const { code, stdout } = await run(registerMatrixCommand, 'matrix', '--format', 'markdown', '--diff', ...inputs());
    expect(code).toBe(0);
    const rows = stdout.trim().split('\n').slice(2);
    expect(rows).toEqual([expect.stringMatching(/^\| added \| Plain\/Key \| Auditor \| allow \| decrypt \| - \| IAM policy AuditorDefaultPolicy[0-9A-F]+ \|$/)]);
  });

  test('check prices the key and names aws-cdk-lib\'s admin grant (GK3, GK11 across the key policy and IAM)', async () => {
    const { code, stdout } = await run(registerCheckCommand, 'check', '--format', 'json', '--requests-per-month', '1000000', join(dir, 'v1'));
    const report = JSON.parse(stdout);
    expect(report.costs).toEqual([expect.objectContaining({ logicalId: expect.stringMatching(/^Key/), keyNow: 1, keyAtCap: 3, requestCost: 3, monthlyAtCap: 6 })]);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(expect.arrayContaining(['GK3']));
    expect(code).toBe(1);
  });

  test('a lone template file works as well as the assembly', async () => {
    const { code, stdout } = await run(registerMatrixCommand, 'matrix', v1);
    expect(code).toBe(0);
    expect(stdout).toContain('Plain/Key');
  });
});
