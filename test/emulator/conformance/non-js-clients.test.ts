import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { kmsClientFor, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { availableClients, AWS_CLI, GO_CLIENT_DIR, isolatedEnv, PYTHON } from '../../clients/support';

/**
 * The emulator with principals and a key policy that denies someone, driven by clients this project did not
 * write: boto3, the AWS CLI and the Go SDK v2 (issue 12: SigV4 from every SDK, and AWS's exact answers from each).
 * Each skips, saying why, when its client is missing; `test/clients/setup.sh` installs them.
 */
const ACCOUNT = '111122223333';
const ROOT: PrincipalConfig = { arn: `arn:aws:iam::${ACCOUNT}:root`, accessKeyId: 'AKIAROOTCLIENTS', secretAccessKey: 'root-secret-clients' };
const APP: PrincipalConfig = {
  arn: `arn:aws:iam::${ACCOUNT}:role/App`,
  accessKeyId: 'AKIAAPPCLIENTS',
  secretAccessKey: 'app-secret-clients',
  identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
};
/** Root may do everything; App may not decrypt, whatever its IAM policy says. */
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT.arn }, Action: 'kms:*', Resource: '*' },
    { Sid: 'AppMayNotDecrypt', Effect: 'Deny', Principal: { AWS: APP.arn }, Action: 'kms:Decrypt', Resource: '*' },
  ],
});

const clients = availableClients();
if (clients.missing.length) {
  // eslint-disable-next-line no-console
  console.warn(`skipping non-JS client tests: ${clients.missing.join('; ')}`);
}
const run = promisify(execFile);

describe('non-JS clients against an emulator that enforces policies', () => {
  let emulator: RunningEmulator;
  let keyId: string;
  beforeAll(async () => {
    // Non-JS clients sign with the system clock, so the emulator keeps the system clock.
    emulator = await startEmulator({ config: { principals: [ROOT, APP] } });
    const root = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey });
    keyId = (await root.send(new CreateKeyCommand({ Policy: POLICY }))).KeyMetadata!.KeyId!;
    await root.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: keyId }));
    root.destroy();
  });
  afterAll(() => emulator.stop());

  (clients.boto3 ? test : test.skip)('boto3 + the OpenSSL command line: imported key material (RSA_AES_KEY_WRAP_SHA_256, RSA_3072) works, rotates on demand; imported HMAC material; a multi-Region key and its replica', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-byok-py-'));
    try {
      const { stdout } = await run(PYTHON, [join(__dirname, '../../clients/boto3_byok.py'), emulator.endpoint, ROOT.accessKeyId, ROOT.secretAccessKey, dir], {
        encoding: 'utf8', env: isolatedEnv(),
      });
      expect(JSON.parse(stdout)).toEqual({
        replicaBeforeImport: 'PendingImport',
        replicaDecrypts: 'across regions',
        before: 'PendingImport',
        after: 'Enabled',
        keyMaterialId: 64,
        roundTrip: 'from python',
        pendingRotation: ['CURRENT', 'PENDING_ROTATION'],
        rotatedToNew: true,
        hmac: true,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (clients.boto3 ? test : test.skip)('boto3: signatures verify, the Deny applies, and AWS\'s answers come back word for word', async () => {
    const { stdout } = await run(PYTHON, [join(__dirname, '../../clients/boto3_parity.py'), emulator.endpoint, keyId, APP.accessKeyId, APP.secretAccessKey], {
      encoding: 'utf8', env: isolatedEnv(),
    });
    expect(JSON.parse(stdout)).toEqual({
      decryptDenied: 'AccessDeniedException',
      dryRun: ['DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.'],
      aliasRefused: ['NotFoundException', 'Invalid keyId alias/app'],
      malformedKeyId: ['NotFoundException', "Invalid keyId 'x'"],
      keyUsageRequired: ['ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
      numberOfBytes: ['ValidationException', "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"],
      duplicateTags: ['TagException', 'Duplicate tag keys'],
      badCiphertext: ['InvalidCiphertextException', ''],
      macAlgorithm: ['ValidationException', "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]"],
      currentKeyMaterialId: 64,
      awsManagedKey: ['AWS', true],
      unboundAlias: ['AliasArn', 'AliasName'],
      wrongSecret: 'InvalidSignatureException',
    });
  });

  (clients.awsCli ? test : test.skip)('the AWS CLI: signatures verify, the Deny applies, an alias is refused where KMS refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    const cli = (...args: string[]) => run(AWS_CLI, ['kms', ...args, '--endpoint-url', emulator.endpoint, '--region', 'eu-west-1', '--output', 'json'], {
      encoding: 'utf8', env: isolatedEnv({ AWS_ACCESS_KEY_ID: APP.accessKeyId, AWS_SECRET_ACCESS_KEY: APP.secretAccessKey, AWS_MAX_ATTEMPTS: '1' }),
    });
    const failure = (args: string[]) => cli(...args).then(() => 'succeeded', (err: { stderr: string }) => err.stderr);
    try {
      const dataKey = JSON.parse((await cli('generate-data-key', '--key-id', 'alias/app', '--key-spec', 'AES_256')).stdout);
      writeFileSync(join(dir, 'blob'), Buffer.from(dataKey.CiphertextBlob, 'base64'));
      expect(await failure(['decrypt', '--ciphertext-blob', `fileb://${join(dir, 'blob')}`])).toMatch(/\(AccessDeniedException\)/);
      expect(await failure(['enable-key-rotation', '--key-id', 'alias/app'])).toMatch(/\(NotFoundException\) when calling the EnableKeyRotation operation: Invalid keyId alias\/app/);
      expect(await failure(['describe-key', '--key-id', 'x'])).toMatch(/\(NotFoundException\) when calling the DescribeKey operation: Invalid keyId 'x'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (clients.go ? test : test.skip)('the Go SDK v2: signatures verify, the Deny applies, DryRun and alias refusal as in KMS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-go-'));
    try {
      // Built here, from test/clients/go's pinned go.mod/go.sum (setup.sh pre-fetches the modules).
      await run('go', ['build', '-o', join(dir, 'kms-client'), '.'], { cwd: GO_CLIENT_DIR, env: isolatedEnv(), encoding: 'utf8' });
      const { stdout } = await run(join(dir, 'kms-client'), [emulator.endpoint, keyId, APP.accessKeyId, APP.secretAccessKey], { env: isolatedEnv(), encoding: 'utf8' });
      expect(JSON.parse(stdout)).toEqual({
        listKeys: 'ok',
        listsKey: true,
        encrypt: 'ok',
        decrypt: 'AccessDeniedException',
        dryRun: 'DryRunOperationException',
        aliasRefused: 'NotFoundException',
        wrongSecret: 'InvalidSignatureException',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
