import { execFile, spawnSync } from 'child_process';
import { request } from 'http';
import { promisify } from 'util';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { kmsClientFor, ManualClock, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { AWS_CLI, PYTHON } from '../../clients/support';
import { errorOf } from '../support';

const ACCOUNT = '111122223333';
const ROOT: PrincipalConfig = { arn: `arn:aws:iam::${ACCOUNT}:root`, accessKeyId: 'AKIAROOTSIGV4', secretAccessKey: 'root-secret-sigv4' };
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

interface RawOptions {
  readonly target?: string;
  readonly body?: string;
  readonly region?: string;
  readonly service?: string;
  readonly date?: Date;
  /** Headers sent but left out of SignedHeaders. */
  readonly unsigned?: string[];
  /** Sign with `content-type` too (the AWS CLI does). */
  readonly signContentType?: boolean;
  readonly host?: string;
  /** Send another X-Amz-Target than the one signed. */
  readonly sendTarget?: string;
  readonly secret?: string;
}

/**
 * A request signed the way boto3 and the Go SDK sign KMS calls: only `host;x-amz-date;x-amz-target` (no
 * x-amz-content-sha256), with the SDK's own signer told exactly that header set.
 */
async function rawSigned(emulator: RunningEmulator, options: RawOptions = {}): Promise<{ status: number; json: any }> {
  const url = new URL(emulator.endpoint);
  const body = options.body ?? '{}';
  const headers: Record<string, string> = { 'host': options.host ?? url.host, 'x-amz-target': `TrentService.${options.target ?? 'ListKeys'}` };
  if (options.signContentType) headers['content-type'] = 'application/x-amz-json-1.1';
  const signer = new SignatureV4({
    credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: options.secret ?? ROOT.secretAccessKey },
    region: options.region ?? 'eu-west-1',
    service: options.service ?? 'kms',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body }), {
    signingDate: options.date ?? new Date(START),
    unsignableHeaders: new Set(options.unsigned ?? []),
  });
  const sent: Record<string, string> = { ...signed.headers, 'content-type': 'application/x-amz-json-1.1' };
  if (options.sendTarget) sent['x-amz-target'] = `TrentService.${options.sendTarget}`;
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.endpoint}/`, { method: 'POST', headers: sent }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invalid = (message: string) => ({ status: 400, json: { __type: 'InvalidSignatureException', message } });

describe('SigV4 as KMS checks it', () => {
  let emulator: RunningEmulator;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(START);
    emulator = await startEmulator({ clock, config: { principals: [ROOT] } });
  });
  afterEach(() => emulator.stop());

  test('a request signed over host;x-amz-date;x-amz-target only (as boto3, the AWS CLI and the Go SDK sign) is accepted', async () => {
    const res = await rawSigned(emulator);
    expect(res).toEqual({ status: 200, json: { Keys: [], Truncated: false } });
    expect((await rawSigned(emulator, { signContentType: true })).status).toBe(200);
  });

  test('the JS SDK signs with the emulator clock through kmsClientFor, even a month ahead', async () => {
    const kms = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey });
    await kms.send(new CreateKeyCommand({}));
    clock.advanceDays(30);
    expect((await kms.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    kms.destroy();
  });

  test('a wrong secret is InvalidSignatureException', async () => {
    expect(await rawSigned(emulator, { secret: 'not-the-secret' })).toEqual(invalid(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'));
  });

  test.each([
    ['16 minutes early', -16 * 60_000, 'Signature expired: 20260101T114400Z is now earlier than 20260101T114500Z (20260101T120000Z - 15 min.)'],
    ['in 2022', Date.UTC(2022, 0, 1) - START, 'Signature expired: 20220101T000000Z is now earlier than 20260101T114500Z (20260101T120000Z - 15 min.)'],
    ['16 minutes late', 16 * 60_000, 'Signature not yet current: 20260101T121600Z is still later than 20260101T121500Z (20260101T120000Z + 15 min.)'],
    ['in 2099', Date.UTC(2099, 0, 1) - START, 'Signature not yet current: 20990101T000000Z is still later than 20260101T121500Z (20260101T120000Z + 15 min.)'],
  ])('a signature dated %s is refused as AWS words it', async (_, offset, message) => {
    expect(await rawSigned(emulator, { date: new Date(START + offset) })).toEqual(invalid(message));
  });

  test('within 15 minutes either way is accepted', async () => {
    expect((await rawSigned(emulator, { date: new Date(START - 14 * 60_000) })).status).toBe(200);
    expect((await rawSigned(emulator, { date: new Date(START + 14 * 60_000) })).status).toBe(200);
  });

  test('a replay a day later is refused', async () => {
    expect((await rawSigned(emulator)).status).toBe(200);
    clock.advanceDays(1);
    expect((await rawSigned(emulator)).json.message).toMatch(/^Signature expired: 20260101T120000Z is now earlier than/);
  });

  test('the credential scope must name the kms service and a region; a regional host name must agree with it', async () => {
    expect(await rawSigned(emulator, { service: 's3' })).toEqual(invalid("Credential should be scoped to correct service: 'kms'. "));
    expect(await rawSigned(emulator, { region: 'nowhere' })).toEqual(invalid('Credential should be scoped to a valid region. '));
    expect(await rawSigned(emulator, { host: 'kms.us-east-1.amazonaws.com', region: 'eu-west-1' }))
      .toEqual(invalid("Credential should be scoped to a valid region, not 'eu-west-1'. "));
    expect((await rawSigned(emulator, { host: 'kms.eu-west-1.amazonaws.com', region: 'eu-west-1' })).status).toBe(200);
  });

  test('host, x-amz-date and x-amz-target must be signed', async () => {
    expect(await rawSigned(emulator, { unsigned: ['x-amz-target'] })).toEqual(invalid("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."));
    expect(await rawSigned(emulator, { unsigned: ['host'] })).toEqual(invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
    expect(await rawSigned(emulator, { unsigned: ['x-amz-date'] })).toEqual(invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."));
  });

  test('a ListKeys signature cannot be replayed as CreateKey', async () => {
    // GIVEN a valid signature for ListKeys WHEN the target is swapped THEN the signature no longer verifies
    const res = await rawSigned(emulator, { target: 'ListKeys', sendTarget: 'CreateKey' });
    expect(res.json.__type).toBe('InvalidSignatureException');
    const kms = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey });
    expect((await kms.send(new ListKeysCommand({}))).Keys).toHaveLength(0);
    kms.destroy();
  });

  test('the body is covered: a changed body fails', async () => {
    const kms = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey });
    kms.middlewareStack.add(next => async args => {
      const req = args.request as { body: string };
      req.body = req.body.replace('signed', 'SIGNED'); // same length: only the signature can tell
      return next(args);
    }, { step: 'finalizeRequest', name: 'tamper', priority: 'low' });
    expect((await errorOf(kms.send(new CreateKeyCommand({ Description: 'signed' })))).name).toBe('InvalidSignatureException');
    kms.destroy();
  });
});

const hasBotocore = spawnSync(PYTHON, ['-c', 'import boto3, botocore'], { stdio: 'ignore' }).status === 0;
const boto3Test = hasBotocore ? test : test.skip;
const hasAwsCli = spawnSync(AWS_CLI, ['--version'], { stdio: 'ignore' }).status === 0;
const awsCliTest = hasAwsCli ? test : test.skip;
if (!hasBotocore || !hasAwsCli) {
  // eslint-disable-next-line no-console
  console.warn(`skipping SigV4 tests of non-JS clients: ${[!hasBotocore && `${PYTHON} cannot import boto3 (run test/clients/setup.sh)`, !hasAwsCli && `no AWS CLI at ${AWS_CLI} (run test/clients/setup.sh)`].filter(Boolean).join('; ')}`);
}
/** No user configuration may leak into the non-JS clients. */
const isolatedEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/.test(name)));
Object.assign(isolatedEnv, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });

describe('SigV4 from boto3 (a client this project did not write)', () => {
  boto3Test('boto3 with principals: its signatures verify, a wrong secret fails, and a key policy Deny applies to it', async () => {
    const app: PrincipalConfig = {
      arn: `arn:aws:iam::${ACCOUNT}:role/App`,
      accessKeyId: 'AKIAAPPBOTO',
      secretAccessKey: 'app-secret-boto',
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
    };
    const emulator = await startEmulator({ config: { principals: [ROOT, app] } });
    try {
      const root = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey });
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT.arn }, Action: 'kms:*', Resource: '*' },
          { Sid: 'NoDecrypt', Effect: 'Deny', Principal: { AWS: app.arn }, Action: 'kms:Decrypt', Resource: '*' },
        ],
      });
      const keyId = (await root.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.KeyId!;
      root.destroy();
      const script = `
import json, sys, boto3, botocore
def client(secret):
    return boto3.client('kms', endpoint_url=sys.argv[1], region_name='eu-west-1', aws_access_key_id='${app.accessKeyId}', aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={'max_attempts': 1}))
def code(call):
    try:
        call()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
kms = client('${app.secretAccessKey}')
blob = kms.encrypt(KeyId=sys.argv[2], Plaintext=b'hello')['CiphertextBlob']
print(json.dumps({
  'keys': len(kms.list_keys()['Keys']),
  'decrypt': code(lambda: kms.decrypt(CiphertextBlob=blob)),
  'wrongSecret': code(lambda: client('wrong-secret-123').list_keys()),
}))`;
      // Asynchronously: the emulator answers from this process's event loop.
      const { stdout: out } = await promisify(execFile)(PYTHON, ['-c', script, emulator.endpoint, keyId], { encoding: 'utf8', env: isolatedEnv });
      expect(JSON.parse(out)).toEqual({ keys: 1, decrypt: 'AccessDeniedException', wrongSecret: 'InvalidSignatureException' });
    } finally {
      await emulator.stop();
    }
  });

  awsCliTest('the AWS CLI with principals: its signatures verify and a wrong secret fails', async () => {
    const emulator = await startEmulator({ config: { principals: [ROOT] } });
    try {
      const cli = (secret: string, ...args: string[]) => promisify(execFile)(AWS_CLI, ['kms', ...args, '--endpoint-url', emulator.endpoint, '--region', 'eu-west-1', '--output', 'json'], {
        encoding: 'utf8', env: { ...isolatedEnv, AWS_ACCESS_KEY_ID: ROOT.accessKeyId, AWS_SECRET_ACCESS_KEY: secret, AWS_MAX_ATTEMPTS: '1' },
      });
      const created = JSON.parse((await cli(ROOT.secretAccessKey, 'create-key', '--description', 'from the CLI')).stdout);
      expect(created.KeyMetadata.Description).toBe('from the CLI');
      expect(JSON.parse((await cli(ROOT.secretAccessKey, 'list-keys')).stdout).Keys).toHaveLength(1);
      const failed = await cli('wrong-secret-123', 'list-keys').then(() => '', (err: { stderr: string }) => err.stderr);
      expect(failed).toMatch(/InvalidSignatureException/);
    } finally {
      await emulator.stop();
    }
  });
});
