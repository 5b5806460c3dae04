import { readFileSync } from 'fs';
import { join } from 'path';
import { buildExampleApp, INTEGRATIONS_DIR as dir, integrationPages, pageBlock as block, transpile } from './integration-pages';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment } from '../../src/local';
import '../../src/local/jest';

/**
 * Every page of docs/integrations/ as written: its example block is synthesized and deployed into the emulator,
 * then its checks block runs against that deployment. Pages use distinct stack and role names, so one emulator
 * serves them all.
 */
const pages = integrationPages();
const synthesizeExample = (source: string) => buildExampleApp(source).synth().directory;

describe('docs/integrations', () => {
  let emulator: RunningEmulator;
  const deployments: LocalDeployment[] = [];
  beforeAll(async () => { emulator = await startEmulator(); });
  afterAll(async () => {
    deployments.forEach(d => d.close());
    await emulator.stop();
  });

  test('the index lists every page', () => {
    const index = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const page of pages) expect(index).toContain(`(${page})`);
    expect(pages).toHaveLength(11);
  });

  test.each(pages)('%s: the example deploys and gives the access the page says', async page => {
    const text = readFileSync(join(dir, page), 'utf8');
    const deployment = await deployLocally(synthesizeExample(block(text, 'example')), { emulator });
    deployments.push(deployment);
    const checks = new Function('expect', 'deployment', `return (async () => {\n${transpile(block(text, 'checks'))}\n})();`);
    await checks(expect, deployment);
  });
});
