import { App, Aspects } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { buildMultiRegionApp } from '../../integ/integ.multi-region';
import { buildValuesApp, VALUES_ACCOUNT, VALUES_CONTEXT, VALUES_REGION } from '../../integ/integ.values';
import { KeyGuard } from '../../src';
import { startEmulator } from '../../src/emulator';
import { seal } from '../../src/envelope';
import { runGuard } from '../../src/guard/engine';
import { readGuardTemplates } from '../../src/guard/template-source';
import { deployLocally } from '../../src/local';
import { ensureHandlerBundle } from '../support/handler-bundle';

/** Every example app of integ/ passes the guard, as the aspect and as `guarded-keys check cdk.out`, with no finding. */
describe('the example apps in integ/ pass the guard with no findings', () => {
  function expectNoFindings(build: (app: App) => App) {
    // GIVEN the app's cloud assembly, as `guarded-keys check cdk.out` reads it, synthesized with the aspect too
    const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
    Aspects.of(app).add(new KeyGuard());
    const assembly = build(app).synth();
    // The guard's findings only (newer aws-cdk-lib adds advice of its own, such as the cross-stack reference strength).
    const findings = assembly.stacks.flatMap(s => s.messages).filter(m => m.level !== 'info' && /\[GK\d+\]/.test(String(m.entry.data)));
    expect(findings.map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);
    // WHEN
    const report = runGuard(readGuardTemplates(assembly.directory));
    // THEN
    expect(report.keys).toBeGreaterThan(0);
    expect(report.findings.map(f => `${f.stack}/${f.path} [${f.rule}] ${f.message}`)).toEqual([]);
    expect(report.suppressed).toEqual([]);
  }

  test.each([
    ['data platform', buildDataPlatformApp],
    ['multi-region', buildMultiRegionApp],
    ['deploy-time values, keys only', (app: App) => buildValuesApp({}, app)],
  ])('%s', (_, build) => expectNoFindings(build));

  test('deploy-time values, with a sealed value, a generated secret and a data key under each target', async () => {
    // GIVEN an envelope sealed under the app's own sealing key, as `guarded-keys seal` makes it
    ensureHandlerBundle();
    const emulator = await startEmulator();
    let envelope: string;
    try {
      const keys = buildValuesApp({}, new App({ context: { 'aws:cdk:enable-path-metadata': true } })).synth().getStackByName('Values').template;
      const deployment = await deployLocally(keys, { emulator, account: VALUES_ACCOUNT, region: VALUES_REGION, stackName: 'Values' });
      try {
        const sealed = await seal(Buffer.from('a value'), { keyIds: [deployment.key('SealingKey').arn], encryptionContext: VALUES_CONTEXT, kms: deployment.clientFor('Sealer') });
        envelope = Buffer.from(sealed).toString('base64');
      } finally {
        deployment.close();
      }
    } finally {
      await emulator.stop();
    }
    // THEN
    expectNoFindings(app => buildValuesApp({ envelope }, app));
    expectNoFindings(app => buildValuesApp({ envelope, target: 'NewTargetKey' }, app));
  });
});
