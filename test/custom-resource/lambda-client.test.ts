import { spawn } from 'child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { buildSync } from 'esbuild';
import { createKey, ResponseServer } from './support';
import { handlerBundleOptions } from '../../src/custom-resource/handler/bundle-options';
import { isRetryable } from '../../src/custom-resource/handler/failure';
import { fromLambdaEnvironment } from '../../src/custom-resource/handler/lambda-credentials';
import { kmsEndpoint, LambdaKms, lambdaKmsClient } from '../../src/custom-resource/handler/lambda-kms';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { KmsAccessError } from '../../src/envelope';
import { mapKmsError } from '../../src/envelope/kms';
import { ensureHandlerBundle } from '../support/handler-bundle';

describe('the Lambda KMS client', () => {
  test('credentials come from the environment when a call is made; missing ones fail naming the variables', async () => {
    // GIVEN an environment that gains its credentials after the provider is made
    const env: NodeJS.ProcessEnv = {};
    const provider = fromLambdaEnvironment(env);
    await expect(provider()).rejects.toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    Object.assign(env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    // THEN the same provider reads them, session token included
    await expect(provider()).resolves.toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  test('endpoints of every partition, FIPS and dual-stack, are the ones the SDK\'s own rules give', () => {
    const sdk = new KMSClient({ region: 'us-east-1' });
    try {
      const regions = ['us-east-1', 'eu-west-1', 'mx-central-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-south-1',
        'eu-isoe-west-1', 'eusc-de-east-1', 'xx-future-1'];
      for (const region of regions) {
        for (const [fips, dualStack] of [[false, false], [true, false], [false, true], [true, true]]) {
          const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) };
          const resolved = sdk.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: dualStack } as never) as { url: URL };
          const expected = resolved.url.href;
          expect(`${region} ${fips} ${dualStack} ${new URL(kmsEndpoint(region, env)).href}`).toBe(`${region} ${fips} ${dualStack} ${expected}`);
        }
      }
      expect(kmsEndpoint('eu-west-1', { AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4599', AWS_ENDPOINT_URL: 'http://other' })).toBe('http://127.0.0.1:4599');
      expect(kmsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4600' })).toBe('http://127.0.0.1:4600');
    } finally {
      sdk.destroy();
    }
  });

  test('the region is the target key\'s, else the function\'s; without either it says so', () => {
    expect(lambdaKmsClient('ap-south-1', { AWS_REGION: 'eu-west-1' }).config.region).toBe('ap-south-1');
    expect(lambdaKmsClient(undefined, { AWS_REGION: 'eu-west-1' }).config.region).toBe('eu-west-1');
    expect(() => lambdaKmsClient(undefined, {})).toThrow('no region');
  });

  describe('against the emulator', () => {
    let emulator: RunningEmulator;
    let root: KMSClient;
    let keyArn: string;
    const clients: LambdaKms[] = [];
    const client = (env: NodeJS.ProcessEnv = {}, endpoint = emulator.endpoint) => {
      const c = new LambdaKms('eu-west-1', {
        AWS_ENDPOINT_URL_KMS: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEMULATORDEFAULT', AWS_SECRET_ACCESS_KEY: 'emulator-secret', ...env,
      });
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      emulator = await startEmulator();
      root = kmsClientFor(emulator, { region: 'eu-west-1' });
      keyArn = await createKey(root);
    });
    afterAll(async () => {
      clients.forEach(c => c.destroy());
      root.destroy();
      await emulator.stop();
    });

    test('sends what the handler sends, bytes in and out, as KMS reads and answers them', async () => {
      // (with a session token, as Lambda's credentials always have: signed, as X-Amz-Security-Token)
      const headers: Array<Record<string, unknown>> = [];
      const kms = client({ AWS_SESSION_TOKEN: 'session-token-of-the-role' });
      type Signer = { sign: (r: { headers: Record<string, unknown> }) => Promise<{ headers: Record<string, unknown> }> };
      const sign = (kms as unknown as { signer: Signer }).signer;
      const original = sign.sign.bind(sign);
      sign.sign = async request => {
        const signed = await original(request);
        headers.push(signed.headers);
        return signed;
      };
      const context = { app: 'lambda' };
      const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
      expect(generated.Plaintext).toBeInstanceOf(Uint8Array);
      expect(generated.Plaintext!.length).toBe(32);
      expect(generated.KeyId).toBe(keyArn);
      const unwrapped = await root.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }));
      expect(Buffer.from(unwrapped.Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);
      const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('hello'), EncryptionContext: context }));
      const moved = await kms.send(new ReEncryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        SourceKeyId: keyArn,
        SourceEncryptionContext: context,
        DestinationKeyId: keyArn,
        DestinationEncryptionContext: context,
      }));
      expect(Buffer.from((await root.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: context }))).Plaintext!).toString()).toBe('hello');
      const withoutPlaintext = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
      expect(withoutPlaintext.CiphertextBlob!.length).toBeGreaterThan(32);
      expect(withoutPlaintext).not.toHaveProperty('Plaintext');
      await expect(kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).rejects.toThrow(TypeError);
      expect(headers.length).toBe(4);
      for (const h of headers) {
        expect(h).toMatchObject({ 'x-amz-security-token': 'session-token-of-the-role', 'content-length': expect.stringMatching(/^\d+$/) });
        expect(String(h.authorization)).toMatch(/SignedHeaders=content-length;content-type;host;(x-amz-content-sha256;)?x-amz-date;x-amz-security-token;x-amz-target/);
      }
    });

    test('KMS\'s errors come out named and with their status, as the envelope core and the retries read them', async () => {
      const kms = client();
      const disabled = await createKey(root);
      await root.send(new DisableKeyCommand({ KeyId: disabled }));
      const failure = (await kms.send(new GenerateDataKeyCommand({ KeyId: disabled, KeySpec: 'AES_256' })).catch(e => e)) as Error & { $metadata: object };
      expect(failure).toMatchObject({ name: 'DisabledException', $metadata: { httpStatusCode: 400 } });
      expect(mapKmsError(failure, disabled)).toBeInstanceOf(KmsAccessError);
      expect(isRetryable(failure)).toBe(false);
      const missing = `${keyArn.slice(0, -4)}0000`;
      await expect(kms.send(new EncryptCommand({ KeyId: missing, Plaintext: Buffer.from('x') }))).rejects.toMatchObject({ name: 'NotFoundException' });
      // A signature made with another secret is refused: the request is really signed (once principals are
      // registered, the emulator checks signatures against their secrets)
      emulator.addPrincipal({ arn: 'arn:aws:iam::000000000000:root', accessKeyId: 'AKIAEMULATORDEFAULT', secretAccessKey: 'emulator-secret' });
      await expect(kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }))).resolves.toBeDefined();
      await expect(client({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })))
        .rejects.toMatchObject({ name: expect.stringMatching(/Signature|Unrecognized/) });
    });

    test('throttling, a 5xx that is not KMS\'s JSON and a refused connection are all retryable', async () => {
      const throttled = await startEmulator({ quotas: { scale: 0.00001 } });
      const throttledRoot = kmsClientFor(throttled, { region: 'eu-west-1' });
      const gateway = createServer((req, res) => req.resume().on('end', () => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>')));
      await new Promise<void>(resolve => gateway.listen(0, '127.0.0.1', resolve));
      try {
        const key = await createKey(throttledRoot);
        const kms = client({}, throttled.endpoint);
        const results = await Promise.all(Array.from({ length: 8 }, () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key, KeySpec: 'AES_256' })).catch(e => e)));
        const throttling = results.find(r => r instanceof Error);
        expect(throttling).toMatchObject({ name: 'ThrottlingException' });
        expect(isRetryable(throttling)).toBe(true);
        const badGateway = await client({}, `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`)
          .send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })).catch(e => e);
        expect(badGateway).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 502 } });
        expect(isRetryable(badGateway)).toBe(true);
        const refused = await client({}, 'http://127.0.0.1:1').send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })).catch(e => e);
        expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
        expect(isRetryable(refused)).toBe(true);
      } finally {
        gateway.close();
        throttledRoot.destroy();
        await throttled.stop();
      }
    });
  });
});

describe('the bundle', () => {
  test('leaves out the SDK\'s client, its default credential chain and its CommonJS builds', () => {
    const result = buildSync({ ...handlerBundleOptions(), write: false, metafile: true });
    // What the output holds (a module esbuild read but tree-shook away contributes no bytes)
    const output = Object.values(result.metafile!.outputs)[0];
    const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file);
    expect(inputs.filter(i => /credential-provider-(node|ini|sso|process|web-identity|http)|nested-clients|token-providers/.test(i))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining([expect.stringMatching(/src\/custom-resource\/handler\/lambda-credentials\.ts$/)]));
    expect(inputs.filter(i => i.includes('@aws-sdk/client-kms/dist-cjs'))).toEqual([]);
    expect(inputs.some(i => i.includes('@aws-sdk/client-kms/dist-es/commands'))).toBe(true);
    expect(inputs.filter(i => /client-kms\/dist-es\/(KMSClient|runtimeConfig)|@smithy\/node-http-handler/.test(i))).toEqual([]);
  });

  describe('run as Lambda runs it: a fresh process with only the environment', () => {
    let emulator: RunningEmulator;
    let responses: ResponseServer;
    let keyArn: string;
    beforeAll(async () => {
      emulator = await startEmulator();
      responses = new ResponseServer();
      await responses.start();
      const root = kmsClientFor(emulator, { region: 'eu-west-1' });
      keyArn = await createKey(root);
      root.destroy();
    });
    afterAll(async () => {
      await responses.stop();
      await emulator.stop();
    });

    test('answers a Create, signing with the environment\'s credentials and reading no AWS config file', async () => {
      // GIVEN a home whose AWS config and credentials files would mislead any SDK that read them
      const home = mkdtempSync(join(tmpdir(), 'gk-lambda-home-'));
      mkdirSync(join(home, '.aws'));
      writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = xx-nowhere-1\nendpoint_url = http://127.0.0.1:9\n');
      writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAFROMAFILE\naws_secret_access_key = wrong\n');
      const bundle = ensureHandlerBundle();
      // WHEN the bundle handles a Create in a new node process, every file read recorded
      const script = `
const fs = require('fs'); const fsp = require('fs/promises'); const reads = [];
for (const [mod, name] of [[fs, 'readFile'], [fs, 'readFileSync'], [fsp, 'readFile'], [fsp, 'open']]) {
  const original = mod[name]; mod[name] = function (path, ...rest) { reads.push(String(path)); return original.call(this, path, ...rest); };
}
require(${JSON.stringify(bundle)}).handler({ RequestType: 'Create', ResponseURL: ${JSON.stringify(responses.url('bundle'))}, StackId: 's', RequestId: 'r1',
  LogicalResourceId: 'Secret', ResourceType: 'Custom::GuardedKeysGeneratedSecret',
  ResourceProperties: { Kind: 'GeneratedSecret', TargetKeyArn: ${JSON.stringify(keyArn)}, EncryptionContext: { app: 'lambda' }, Length: '24' } },
  { getRemainingTimeInMillis: () => 30000 }).then(r => process.stdout.write('\\nRESULT=' + JSON.stringify({ status: r.Status, reason: r.Reason, reads })));`;
      const out = await runNode(script, {
        PATH: process.env.PATH,
        HOME: home,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_KMS: emulator.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIAEMULATORDEFAULT',
        AWS_SECRET_ACCESS_KEY: 'emulator-secret',
      });
      const result = JSON.parse(/RESULT=(.*)$/m.exec(out)![1]) as { status: string; reason?: string; reads: string[] };
      // THEN it succeeded through the emulator (the files' region, endpoint and key would all have failed it)
      expect(result).toMatchObject({ status: 'SUCCESS' });
      expect(responses.last()).toMatchObject({ Status: 'SUCCESS', RequestId: 'r1' });
      expect(result.reads.filter(p => p.includes(home))).toEqual([]);
    });
  });
});

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '-e', script], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('close', code => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}
