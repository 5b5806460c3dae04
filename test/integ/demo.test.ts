import { readFileSync } from 'fs';
import { join } from 'path';
import { DEMO_WIDTH, DemoSummary, runDemo } from '../../integ/demo-run';
import { ensureHandlerBundle } from '../support/handler-bundle';

/**
 * `npm run demo` as it prints: every line fits DEMO_WIDTH columns (counted in bytes, as `awk length` counts them),
 * every measured cell agrees with the policy model, each deploy-time value opens for the application role and is
 * refused to every other role, and the README's excerpt of the output is the output (ids masked).
 */
describe('npm run demo', () => {
  let output = '';
  let summary: DemoSummary;

  beforeAll(async () => {
    ensureHandlerBundle();
    summary = await runDemo(text => { output += text; });
  }, 240_000); // the whole demo: three apps deployed and measured (about 12 s alone)

  test(`no line is wider than ${DEMO_WIDTH} columns`, () => {
    const wide = output.split('\n').filter(line => Buffer.byteLength(line) > DEMO_WIDTH);
    expect(wide).toEqual([]);
  });

  test('every key of the three example apps is shown, and every measured cell agrees with the policy model', () => {
    for (const key of ['DataPlatform/CustomerDataKey', 'DataPlatform/IngestKey', 'KeysPrimary/DataKey', 'KeysReplica/DataKeyReplica', 'Values/TargetKey', 'Values/SealingKey']) {
      expect(output).toContain(`${key} — measured by real requests (agrees with the policy model)`);
    }
    expect(summary.disagreements).toBe(0);
    expect(output).toContain('Every measured cell agrees with the policy model.');
  });

  test('each value opens for AppRole only, and the refusals are shown', () => {
    expect(summary.wrongOpens).toBe(0);
    for (const value of ['DatabasePassword (SealedValue', 'SessionSecret (GeneratedSecret', 'RecordsKey (DataKey']) {
      const section = sectionOf(`Values/${value}`);
      expect(section).toMatch(/^ {2}AppRole: opens it \(\d+ bytes/m);
      for (const role of ['OtherRole', 'KeyAdmin', 'Sealer']) expect(section).toMatch(new RegExp(`^ {2}${role}: refused — AccessDeniedException`, 'm'));
    }
    expect(summary.refusals).toBe(12);
    expect(output).toContain('Every value opens for AppRole only (12 opens by other roles refused).');
  });

  test('the README shows the current output (ids masked)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const excerpt = /<!-- demo-excerpt:start -->\s*```text\n([\s\S]*?)```\s*<!-- demo-excerpt:end -->/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    const blocks = mask(output).split('\n\n').map(b => b.trim());
    for (const block of mask(excerpt!).split('\n\n').map(b => b.trim())) expect(blocks).toContain(block);
  });

  /** The block of output that starts with `title`. */
  function sectionOf(title: string): string {
    return output.split('\n\n').find(block => block.startsWith(title)) ?? '';
  }
});

/** Ids that change with every build or deployment: key ids, and the hashes CDK appends to logical ids. */
function mask(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<key id>')
    .replace(/(?<=[a-z])[0-9A-F]{8}\b/g, '<hash>');
}
