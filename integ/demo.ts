/**
 * `npm run demo`: synthesize the example apps in integ/, print each key's access matrix as the policies say it
 * (read from the synthesized templates), then deploy each app into an embedded emulator and print the matrix as
 * measured by real requests through the SDK, marking any disagreement, and the key's service uses as measured by
 * the requests each service (S3, SQS, ...) makes for each principal ("AppRole reads CustomerBucket via S3: yes").
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from './integ.data-platform';
import { buildMultiRegionApp } from './integ.multi-region';
import { startEmulator } from '../src/emulator';
import { deployLocally, measureAccessMatrix, measureServiceUses, renderMeasuredMatrix, renderServiceUses } from '../src/local';
import { keyAccessMatrices, renderAccessMatrix } from '../src/policy/access-matrix';

async function main(): Promise<number> {
  let disagreements = 0;
  for (const build of [buildDataPlatformApp, buildMultiRegionApp]) {
    const outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-demo-'));
    // Path metadata (as the CDK CLI writes it) lets the matrix name constructs instead of logical IDs.
    const assembly = build(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
    const emulator = await startEmulator();
    const deployment = await deployLocally(outdir, { emulator });
    try {
      for (const stack of assembly.stacks) {
        for (const matrix of keyAccessMatrices(stack.template, stack.stackName)) {
          process.stdout.write(`${renderAccessMatrix({ ...matrix, stack: `${stack.stackName} (${stack.environment.region})` })}\n\n`);
          const measured = await measureAccessMatrix(deployment, matrix, stack.stackName);
          disagreements += measured.cells.filter(c => c.expected !== c.measured).length;
          process.stdout.write(`${renderMeasuredMatrix(measured)}\n\n`);
          const key = deployment.keys.find(k => k.stack === stack.stackName && (k.path === matrix.logicalId || k.logicalId === matrix.logicalId))!;
          process.stdout.write(`${renderServiceUses(await measureServiceUses(deployment, key, matrix))}\n\n`);
        }
      }
    } finally {
      deployment.close();
      await emulator.stop();
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  process.stdout.write(disagreements === 0
    ? 'Every measured cell agrees with the policy model.\n'
    : `${disagreements} measured cell(s) disagree with the policy model (marked !!).\n`);
  return disagreements === 0 ? 0 : 1;
}

main().then(code => { process.exitCode = code; }, err => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
