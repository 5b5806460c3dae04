import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RunningEmulator, startEmulator } from '../../../src/emulator';
import { deployLocally, LocalDeployment } from '../../../src/local';
import '../../../src/local/jest';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const REGION = 'eu-west-1';
export const OTHER_REGION = 'us-east-1';

/**
 * One emulator per test file (scenarios use distinct stack names, so their roles and aliases never meet), and a
 * `deploy` that builds an app with aws-cdk-lib, synthesizes it to a cloud assembly and deploys it locally.
 */
export function servicesFixture(): { emulator: () => RunningEmulator; deploy: (build: (app: App) => void) => Promise<LocalDeployment> } {
  let emulator: RunningEmulator;
  const deployments: LocalDeployment[] = [];
  const dirs: string[] = [];
  beforeAll(async () => { emulator = await startEmulator(); });
  afterAll(async () => {
    deployments.forEach(d => d.close());
    dirs.forEach(d => rmSync(d, { recursive: true, force: true }));
    await emulator.stop();
  });
  return {
    emulator: () => emulator,
    deploy: async build => {
      const outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-services-'));
      dirs.push(outdir);
      const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
      build(app);
      app.synth();
      const deployment = await deployLocally(outdir, { emulator });
      deployments.push(deployment);
      return deployment;
    },
  };
}

/** A stack in the example account and region. */
export function stackIn(app: App, name: string, env: { account?: string; region?: string; crossRegionReferences?: boolean } = {}): Stack {
  const environment = { account: env.account ?? ACCOUNT, region: env.region ?? REGION };
  return new Stack(app, name, { env: environment, crossRegionReferences: env.crossRegionReferences });
}

/** A role the account's users assume: Reader, Writer, Other... */
export function role(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}
