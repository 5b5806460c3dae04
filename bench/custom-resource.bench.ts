/**
 * The custom-resource handler's bundle against a bundle of the AWS Encryption SDK (@aws-crypto/client-node with its
 * KMS keyring) doing the same job: seal a 32-byte generated secret under a KMS key. Both are built here with the
 * same esbuild options (minified, node22) and measured in the same run:
 * - minified size;
 * - cold init: a fresh `node` process that requires the bundle and handles the first event (ours: a Create of a
 *   GeneratedSecret answered to a local response URL; the ESDK: one encrypt), against the emulator, which is
 *   reached through AWS_ENDPOINT_URL_KMS. Median of several runs; printed as a ratio (goal: at most 0.5).
 */
import { spawn } from 'child_process';
import { mkdtempSync, statSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { buildSync } from 'esbuild';
import { kmsClientFor, startEmulator } from '../src/emulator';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-cr-bench-'));
  const options = { bundle: true, platform: 'node' as const, target: 'node22', minify: true, legalComments: 'none' as const };
  const ours = join(dir, 'ours.js');
  buildSync({ ...options, entryPoints: [join(__dirname, '..', 'src', 'custom-resource', 'handler', 'index.ts')], outfile: ours });
  const esdkEntry = join(dir, 'esdk-entry.js');
  writeFileSync(esdkEntry, `
const { buildClient, CommitmentPolicy, KmsKeyringNode } = require(${JSON.stringify(require.resolve('@aws-crypto/client-node'))});
const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
exports.run = (keyId, plaintext, context) => encrypt(new KmsKeyringNode({ generatorKeyId: keyId }), plaintext, { encryptionContext: context });
`);
  const esdk = join(dir, 'esdk.js');
  buildSync({ ...options, entryPoints: [esdkEntry], outfile: esdk });

  const emulator = await startEmulator();
  const root = kmsClientFor(emulator, { region: 'eu-west-1' });
  const keyId = (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  const responses = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
  await new Promise<void>(resolve => responses.listen(0, '127.0.0.1', resolve));
  const responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/r`;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_KMS: emulator.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAEMULATORDEFAULT',
    AWS_SECRET_ACCESS_KEY: 'emulator-secret',
  };
  const oursScript = `const t0 = process.hrtime.bigint(); const { handler } = require(${JSON.stringify(ours)});
handler({ RequestType: 'Create', ResponseURL: ${JSON.stringify(responseUrl)}, StackId: 's', RequestId: 'r', LogicalResourceId: 'L', ResourceType: 'Custom::GuardedKeysGeneratedSecret',
  ResourceProperties: { Kind: 'GeneratedSecret', TargetKeyArn: ${JSON.stringify(keyId)}, EncryptionContext: { app: 'bench' }, Length: '32' } },
  { getRemainingTimeInMillis: () => 60000 }).then(r => { if (r.Status !== 'SUCCESS') throw new Error(r.Reason); process.stdout.write('\\nMS=' + Number(process.hrtime.bigint() - t0) / 1e6); });`;
  const esdkScript = `const t0 = process.hrtime.bigint(); const { run } = require(${JSON.stringify(esdk)});
run(${JSON.stringify(keyId)}, require('crypto').randomBytes(32), { app: 'bench' }).then(() => process.stdout.write('\\nMS=' + Number(process.hrtime.bigint() - t0) / 1e6));`;

  const cold = async (script: string) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(Number(/MS=([\d.]+)/.exec(await node(script, env))?.[1]));
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  };
  const [oursMs, esdkMs] = [await cold(oursScript), await cold(esdkScript)];
  const kb = (f: string) => Math.round(statSync(f).size / 1024);
  console.log(`handler bundle (minified): ${kb(ours)} KB; ESDK + KMS keyring bundle: ${kb(esdk)} KB (ratio ${(statSync(ours).size / statSync(esdk).size).toFixed(2)})`);
  console.log(`cold init, require + first event, median of ${RUNS}: handler ${oursMs.toFixed(0)} ms; ESDK ${esdkMs.toFixed(0)} ms (ratio ${(oursMs / esdkMs).toFixed(2)}, goal <= 0.5)`);
  root.destroy();
  responses.close();
  await emulator.stop();
}

/** Runs a script in a fresh node process (asynchronously: the emulator answers from this one); resolves its stdout. */
function node(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('close', code => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
