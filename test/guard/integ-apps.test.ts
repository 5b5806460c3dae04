import { App, Aspects } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { buildMultiRegionApp } from '../../integ/integ.multi-region';
import { KeyGuard } from '../../src';
import { runGuard } from '../../src/guard/engine';
import { readGuardTemplates } from '../../src/guard/template-source';

describe('the example apps in integ/ pass the guard with no findings', () => {
  test.each([
    ['data platform', buildDataPlatformApp],
    ['multi-region', buildMultiRegionApp],
  ])('%s', (_, build) => {
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
  });
});
