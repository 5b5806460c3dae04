import { spawn } from 'child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildSync } from 'esbuild';
import { createKey, ResponseServer } from './support';
import { handlerBundleOptions } from '../../src/custom-resource/handler/bundle-options';
import { fromLambdaEnvironment } from '../../src/custom-resource/handler/lambda-credentials';
import { lambdaKmsClient } from '../../src/custom-resource/handler/lambda-kms';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
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

  test('every setting comes from the environment Lambda sets, none from the SDK\'s provider chains', async () => {
    const env = {
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_USE_FIPS_ENDPOINT: 'true',
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4599',
    };
    const client = lambdaKmsClient(undefined, env);
    const ofKey = lambdaKmsClient('ap-south-1', {});
    try {
      expect(await client.config.region()).toBe('eu-central-1');
      expect(await ofKey.config.region()).toBe('ap-south-1');
      expect(await client.config.useFipsEndpoint()).toBe(true);
      expect(await ofKey.config.useFipsEndpoint()).toBe(false);
      expect(await client.config.useDualstackEndpoint()).toBe(false);
      expect(await client.config.maxAttempts()).toBe(1);
      expect(await client.config.endpoint!()).toMatchObject({ hostname: '127.0.0.1', port: 4599, protocol: 'http:' });
      expect(client.config.isCustomEndpoint).toBe(true);
      expect(ofKey.config.isCustomEndpoint).toBe(false);
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
    } finally {
      client.destroy();
      ofKey.destroy();
    }
  });
});

describe('the bundle', () => {
  test('leaves out the SDK\'s default credential chain and takes its ES modules', () => {
    const result = buildSync({ ...handlerBundleOptions(), write: false, metafile: true });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.filter(i => /credential-provider-(node|ini|sso|process|web-identity|http)|nested-clients|token-providers/.test(i))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining([expect.stringMatching(/src\/custom-resource\/handler\/lambda-credentials\.ts$/)]));
    expect(inputs.filter(i => i.includes('@aws-sdk/client-kms/dist-cjs'))).toEqual([]);
    expect(inputs.some(i => i.includes('@aws-sdk/client-kms/dist-es'))).toBe(true);
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
