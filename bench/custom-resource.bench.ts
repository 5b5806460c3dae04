/**
 * The custom-resource handler's bundle against a bundle of the AWS Encryption SDK (@aws-crypto/client-node with its
 * KMS keyring) doing the same job: seal a 32-byte generated secret under a KMS key. Both are built here with the
 * handler's options (src/custom-resource/handler/bundle-options.ts: minified, node22, ES modules first so both
 * tree-shake), and measured in the same run:
 * - minified size;
 * - cold init: a fresh `node` process that requires the bundle and handles the first event (ours: a Create of a
 *   GeneratedSecret answered to a local response URL; the ESDK: one encrypt), against the emulator, which is
 *   reached through AWS_ENDPOINT_URL_KMS. The two alternate, each round starting with the other, so a busy
 *   moment of the shared machine falls on both. Median (min–max) of wall time, the goal's measure (at most 0.5),
 *   and of the child's CPU time over the same span, which a busy machine disturbs less.
 */
import { spawn } from 'child_process';
import { mkdtempSync, statSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { buildSync } from 'esbuild';
import { addSummary, median, printTable, QUICK, summary } from './stats';
import { handlerBundleOptions } from '../src/custom-resource/handler/bundle-options';
import { kmsClientFor, startEmulator } from '../src/emulator';

const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 7 : 15));

/** The span both measure, printed by the child: from before `require` to the answer, wall and CPU (ms). */
const TIMED = (body: string) => `const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
${body}.then(() => { const c = process.cpuUsage(c0);
  process.stdout.write('\\nMS=' + Number(process.hrtime.bigint() - t0) / 1e6 + ' CPU=' + (c.user + c.system) / 1e3); });`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-cr-bench-'));
  const ours = join(dir, 'ours.js');
  buildSync(handlerBundleOptions(ours));
  const esdkEntry = join(dir, 'esdk-entry.js');
  writeFileSync(esdkEntry, `
const { buildClient, CommitmentPolicy, KmsKeyringNode } = require(${JSON.stringify(require.resolve('@aws-crypto/client-node'))});
const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
exports.run = (keyId, plaintext, context) => encrypt(new KmsKeyringNode({ generatorKeyId: keyId }), plaintext, { encryptionContext: context });
`);
  const esdk = join(dir, 'esdk.js');
  // The same options, but the SDK as it is: the handler's alias to the bare command classes (bundle-options.ts)
  // is for its own code; the ESDK's keyring builds a KMSClient.
  buildSync({ ...handlerBundleOptions(esdk), entryPoints: [esdkEntry], alias: {} });

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
  const scripts = {
    ours: TIMED(`require(${JSON.stringify(ours)}).handler({ RequestType: 'Create', ResponseURL: ${JSON.stringify(responseUrl)}, StackId: 's', RequestId: 'r',
  LogicalResourceId: 'L', ResourceType: 'Custom::GuardedKeysGeneratedSecret',
  ResourceProperties: { Kind: 'GeneratedSecret', TargetKeyArn: ${JSON.stringify(keyId)}, EncryptionContext: { app: 'bench' }, Length: '32' } },
  { getRemainingTimeInMillis: () => 60000 }).then(r => { if (r.Status !== 'SUCCESS') throw new Error(r.Reason); })`),
    esdk: TIMED(`require(${JSON.stringify(esdk)}).run(${JSON.stringify(keyId)}, require('crypto').randomBytes(32), { app: 'bench' })`),
  };

  const wall = { ours: [] as number[], esdk: [] as number[] };
  const cpu = { ours: [] as number[], esdk: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const who of (i % 2 ? ['esdk', 'ours'] : ['ours', 'esdk']) as Array<'ours' | 'esdk'>) {
      const out = await node(scripts[who], env);
      const m = /MS=([\d.]+) CPU=([\d.]+)/.exec(out);
      if (!m) throw new Error(`no timing from ${who}: ${out}`);
      wall[who].push(Number(m[1]));
      cpu[who].push(Number(m[2]));
    }
  }
  const size = { ours: statSync(ours).size, esdk: statSync(esdk).size };
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const r = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  process.stdout.write(`handler bundle vs an ESDK + KMS keyring bundle: ${RUNS} cold processes each, alternating; median (min–max)\n`);
  printTable([
    ['measure', 'handler', 'ESDK + KMS keyring', 'ratio', 'goal'],
    ['bundle, minified', kb(size.ours), kb(size.esdk), (size.ours / size.esdk).toFixed(2), ''],
    ['cold init, require + first event (ms)', summary(wall.ours), summary(wall.esdk), r(wall.ours, wall.esdk), '<= 0.5'],
    ['  CPU time of that span (ms)', summary(cpu.ours), summary(cpu.esdk), r(cpu.ours, cpu.esdk), ''],
  ]);
  addSummary('custom-resource bundle size', kb(size.ours), kb(size.esdk), (size.ours / size.esdk).toFixed(2), '');
  addSummary('custom-resource cold init (ms)', median(wall.ours).toFixed(0), median(wall.esdk).toFixed(0), r(wall.ours, wall.esdk), '<= 0.5');
  root.destroy();
  responses.close();
  await emulator.stop();
}

/** Runs a script in a fresh node process (asynchronously: the emulator answers from this one); resolves its stdout. */
function node(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '-e', script], { env });
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
