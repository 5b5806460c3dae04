import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment } from '../../src/local';
import '../../src/local/jest';

/**
 * Every page of docs/integrations/ as written: its example block is synthesized and deployed into the emulator,
 * then its checks block runs against that deployment. Pages use distinct stack and role names, so one emulator
 * serves them all.
 */
const dir = join(__dirname, '..', '..', 'docs', 'integrations');
const pages = readdirSync(dir).filter(f => f.endsWith('.md') && f !== 'README.md').sort();

function block(text: string, marker: string): string {
  const found = new RegExp(`<!-- ${marker}:start -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${marker}:end -->`).exec(text)?.[1];
  if (!found) throw new Error(`no ${marker} block`);
  return found;
}

const transpile = (source: string) =>
  ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the page's own imports, resolved as a user's would be
const load = (name: string) => (name === 'cdk-guarded-keys' ? require('../../src') : require(name));

function synthesizeExample(source: string): string {
  const exported: { app?: App } = {};
  new Function('require', 'exports', transpile(`${source}\nexports.app = app;`))(load, exported);
  return exported.app!.synth().directory;
}

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
