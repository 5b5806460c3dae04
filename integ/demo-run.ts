/**
 * What `npm run demo` prints, as a function the tests run too (test/integ/demo.test.ts): the example apps in integ/
 * synthesized, each key's access matrix as the policies say it (read from the synthesized templates), then each app
 * deployed into an embedded emulator and the matrix measured by real requests through the SDK, marking any
 * disagreement, and the key's service uses as measured by the requests each service (S3, SQS, ...) makes for each
 * principal ("AppRole reads CustomerBucket via S3: yes"). Last, the deploy-time values app: its custom resources run
 * by the local deployment, each value opened as the application role would, and refused to every other role.
 *
 * Every line fits DEMO_WIDTH columns: the matrices lay their conditions out under each row when the full table is
 * wider, and any other line is wrapped.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { deployValuesApp, openValues, renderOpenAttempts } from './demo-values';
import { buildDataPlatformApp } from './integ.data-platform';
import { buildMultiRegionApp } from './integ.multi-region';
import { startEmulator } from '../src/emulator';
import { deployLocally, LocalDeployment, measureAccessMatrix, measureServiceUses, renderMeasuredMatrix, renderServiceUses } from '../src/local';
import { keyAccessMatrices } from '../src/policy/access-matrix';
import { renderAccessMatrixWithin } from '../src/policy/access-matrix-render';
import { wrapLines } from '../src/private/wrap-text';

/** The widest line the demo prints. */
export const DEMO_WIDTH = 120;

/** What the run found, besides what it printed. */
export interface DemoSummary {
  /** Measured cells that disagree with the policy model. */
  readonly disagreements: number;
  /** Opens that went the wrong way: the application role refused, or another role let in. */
  readonly wrongOpens: number;
  /** Opens refused to roles other than the application's. */
  readonly refusals: number;
}

/** Runs the demo, handing each block of text (already fitted to DEMO_WIDTH) to `write`. */
export async function runDemo(write: (text: string) => void): Promise<DemoSummary> {
  const print = (text: string) => write(`${wrapLines(text, DEMO_WIDTH)}\n\n`);
  let disagreements = 0;
  for (const build of [buildDataPlatformApp, buildMultiRegionApp]) {
    const outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-demo-'));
    const emulator = await startEmulator();
    try {
      // Path metadata (as the CDK CLI writes it) lets the matrix name constructs instead of logical IDs.
      const assembly = build(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
      const deployment = await deployLocally(outdir, { emulator });
      try {
        disagreements += await printKeys(assembly, deployment, print);
      } finally {
        deployment.close();
      }
    } finally {
      await emulator.stop();
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  const emulator = await startEmulator();
  let opens;
  try {
    const values = await deployValuesApp(emulator);
    try {
      disagreements += await printKeys(values.assembly, values.deployment, print);
      opens = await openValues(values.deployment);
    } finally {
      values.deployment.close();
      values.dispose();
    }
  } finally {
    await emulator.stop();
  }
  print(renderOpenAttempts(opens));
  const wrongOpens = opens.filter(o => (o.principal === 'AppRole') !== (o.refused === undefined)).length;
  const refusals = opens.filter(o => o.principal !== 'AppRole' && o.refused !== undefined).length;

  write(disagreements === 0
    ? 'Every measured cell agrees with the policy model.\n'
    : `${disagreements} measured cell(s) disagree with the policy model (marked !!).\n`);
  write(wrongOpens === 0
    ? `Every value opens for AppRole only (${refusals} opens by other roles refused).\n`
    : `${wrongOpens} open(s) went the wrong way: AppRole refused, or another role let in.\n`);
  return { disagreements, wrongOpens, refusals };
}

/** Each key of an app: the matrix from its policies, the matrix measured, and its service uses. */
async function printKeys(assembly: CloudAssembly, deployment: LocalDeployment, print: (text: string) => void): Promise<number> {
  let disagreements = 0;
  for (const stack of assembly.stacks) {
    for (const matrix of keyAccessMatrices(stack.template, stack.stackName)) {
      print(renderAccessMatrixWithin({ ...matrix, stack: `${stack.stackName} (${stack.environment.region})` }, DEMO_WIDTH));
      const measured = await measureAccessMatrix(deployment, matrix, stack.stackName);
      disagreements += measured.cells.filter(c => c.expected !== c.measured).length;
      print(renderMeasuredMatrix(measured));
      const key = deployment.keys.find(k => k.stack === stack.stackName && (k.path === matrix.logicalId || k.logicalId === matrix.logicalId))!;
      print(renderServiceUses(await measureServiceUses(deployment, key, matrix)));
    }
  }
  return disagreements;
}

