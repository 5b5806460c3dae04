import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally } from '../../src/local';
import '../../src/local/jest';

/**
 * The PR-check recipe of docs/pr-check.md, on an example repository made here: the app at the base branch and at
 * the pull request's head (which adds an analyst who decrypts through S3), each synthesized with the `cdk` CLI,
 * then `guarded-keys check --format sarif`, `guarded-keys matrix --diff base head --format markdown`, and an
 * access test against a local deployment. The CLI is the compiled one (lib/), as `npx guarded-keys` runs it; the
 * check and matrix steps run when the CLI has those commands (they come from the guard's branch).
 */
const root = resolve(__dirname, '..', '..');
const cli = join(root, 'lib', 'cli', 'main.js');
const compiled = existsSync(cli);
if (!compiled) {
  // eslint-disable-next-line no-console
  console.warn('test/packaging/pr-check.test.ts skipped: lib/ is not compiled (run `npx projen compile` first)');
}
const help = compiled ? execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }) : '';
const hasCommand = (name: string) => new RegExp(`^\\s+${name}\\b`, 'm').test(help);
const whenCompiled = compiled ? describe : describe.skip;

function app(withAnalyst: boolean): string {
  return `
const { App, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const s3 = require('aws-cdk-lib/aws-s3');
const { GuardedKey } = require('cdk-guarded-keys');
const app = new App();
const stack = new Stack(app, 'Data', { env: { account: '111122223333', region: 'eu-west-1' } });
const operators = new iam.Role(stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
const service = new iam.Role(stack, 'Service', { assumedBy: new iam.AccountRootPrincipal() });
const key = new GuardedKey(stack, 'CustomerData', { aliases: ['data/customers'], admins: [operators], users: [service], viaServices: ['s3'] });
const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
${withAnalyst ? "bucket.grantRead(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }));" : ''}
app.synth();
`;
}

whenCompiled('the PR check, end to end, on an example repository', () => {
  let repo: string;
  let emulator: RunningEmulator | undefined;
  const run = (args: string[], cwd = repo) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'gk-pr-check-'));
    mkdirSync(join(repo, 'node_modules'));
    symlinkSync(root, join(repo, 'node_modules', 'cdk-guarded-keys'), 'dir');
    for (const dep of ['aws-cdk-lib', 'constructs']) symlinkSync(join(root, 'node_modules', dep), join(repo, 'node_modules', dep), 'dir');
    for (const [dir, withAnalyst] of [['base', false], ['head', true]] as const) {
      mkdirSync(join(repo, dir));
      writeFileSync(join(repo, dir, 'app.js'), app(withAnalyst));
      writeFileSync(join(repo, dir, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
      // Step 1: cdk synth (the CLI records construct paths, which name principals, by default)
      execFileSync(join(root, 'node_modules', '.bin', 'cdk'), ['synth', '-o', 'cdk.out', '--no-notices', '-q'], {
        cwd: join(repo, dir), env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' }, stdio: 'pipe',
      });
    }
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  test('cdk synth writes both cloud assemblies with path metadata', () => {
    const template = readFileSync(join(repo, 'head', 'cdk.out', 'Data.template.json'), 'utf8');
    expect(template).toContain('"aws:cdk:path": "Data/Analyst/Resource"');
  });

  (hasCommand('check') ? test : test.skip)('guarded-keys check --format sarif: a clean SARIF log, exit 0', () => {
    const result = run(['check', 'head/cdk.out', '--format', 'sarif', '--output', 'guard.sarif']);
    expect(result.stderr).toEqual('');
    expect(result.status).toBe(0);
    const sarif = JSON.parse(readFileSync(join(repo, 'guard.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
  });

  (hasCommand('matrix') ? test : test.skip)('guarded-keys matrix --diff base head: the analyst\'s new access, in Markdown', () => {
    const result = run(['matrix', '--diff', 'base/cdk.out', 'head/cdk.out', '--format', 'markdown']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Analyst/);
    expect(result.stdout).not.toMatch(/Operators/);
  });

  test('access tests against the local deployment of the head', async () => {
    emulator = await startEmulator();
    const deployment = await deployLocally(join(repo, 'head', 'cdk.out'), { emulator });
    try {
      await expect(deployment).toAllowUse('Analyst', 'Bucket', 'read');
      await expect(deployment).toDenyUse('Analyst', 'Bucket', 'write');
      await expect(deployment).toDeny('Operators', 'kms:Decrypt', 'alias/data/customers', { viaService: 's3' });
    } finally {
      deployment.close();
    }
  });
});
