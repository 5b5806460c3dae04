import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', 'main.ts')];

interface Run { code: number; stdout: string; stderr: string }

describe('guarded-keys matrix', () => {
  let dir: string;
  const env = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };
  const run = (...args: string[]): Promise<Run> => promisify(execFile)(process.execPath, [...CLI, 'matrix', ...args], { env, cwd: dir })
    .then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  const key = (statements: unknown[]) => ({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: statements } } } } });
  const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
  const partner = { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:Decrypt', Resource: '*' };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-matrix-'));
    writeFileSync(join(dir, 'old.json'), JSON.stringify(key([root])));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(key([root, partner])));
    buildDataPlatformApp(new App({ outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true } })).synth();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints every key of a cloud assembly as Markdown, --diff prints only what changed, --measure agrees, unreadable input exits 2', async () => {
    const [markdown, diff, missing, measured] = await Promise.all([
      run('--format', 'markdown', 'cdk.out'),
      run('--diff', 'old.json', 'new.json'),
      run('missing.json'),
      run('--measure', 'cdk.out'),
    ]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('### DataPlatform/CustomerDataKey (alias/data/customers) — SYMMETRIC_DEFAULT ENCRYPT_DECRYPT');
    expect(markdown.stdout).toContain('| AppRole | allow |  | ✅ | ✅ |  |  | via s3.eu-west-1.amazonaws.com; context tenant present | key policy (AllowKeyUse) |');
    expect(diff).toEqual({ code: 0, stderr: '', stdout: expect.stringMatching(/^\s+key\s+principal.*\n\+\s+new\/Key\s+account 444455556666 \(root \+ its IAM policies\)\s+allow\s+decrypt\s+-\s+key policy \(Partner\)\n$/) });
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'guarded-keys matrix: missing.json: no such file or directory\n' });
    // --measure deploys the app into an embedded emulator: every cell measured agrees with the policy model
    expect(measured.stderr).not.toContain('guarded-keys');
    expect(measured.stdout.match(/measured by real requests \(agrees with the policy model\)/g)).toHaveLength(2);
    expect(measured.code).toBe(0);
  });
});
