import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { buildMultiRegionApp } from '../../integ/integ.multi-region';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment } from '../../src/local';

/**
 * A real cloud assembly (three stacks, two regions, two accounts, cross-region references) deployed twice into the
 * same emulator: the second deployment asks nothing of KMS and describes the same deployment.
 */
describe('deployLocally: the same cdk.out twice', () => {
  let outdir: string;
  let emulator: RunningEmulator;
  const open: LocalDeployment[] = [];
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-redeploy-'));
    buildMultiRegionApp(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    open.splice(0).forEach(d => d.close());
    await emulator.stop();
  });

  test('changes nothing', async () => {
    const first = await deployLocally(outdir, { emulator });
    open.push(first);
    const stacks = first.stacks.map(s => s.name);
    expect(stacks.length).toBe(3);
    // every stack was deployed by its own execution role, never by a root
    expect(emulator.decisions().every(d => /:role\/cdk-hnb659fds-cfn-exec-role-\d{12}-[a-z0-9-]+$/.test(d.caller))).toBe(true);
    const from = emulator.decisions().length;
    const second = await deployLocally(outdir, { emulator });
    open.push(second);
    expect(emulator.decisions().slice(from).map(d => `${d.operation} ${d.resource}`)).toEqual([]);
    expect(second.keys).toEqual(first.keys);
    expect(second.aliases).toEqual(first.aliases);
    expect(second.principals).toEqual(first.principals);
    expect(second.resources).toEqual(first.resources);
  });
});
